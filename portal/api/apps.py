from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API, its tokens and the outbound webhooks: on top of every other app."""

    name = "portal.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        from portal.api.webhooks import receivers  # noqa: F401  (connects the signal receivers)
