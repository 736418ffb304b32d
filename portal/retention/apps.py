from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Keeps a year of history cheap: prunes what is old and no longer needed, on a daily beat.
    It reads sync, doors and the API's webhooks, so it sits above them and nothing imports it."""

    name = "portal.retention"
    label = "retention"
