from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The start page: one panel per area the user's role covers. It reads every app, so it sits
    above them and nothing imports it."""

    name = "portal.dashboard"
    label = "dashboard"
