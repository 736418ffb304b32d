from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The embedded runtime behind ``make run`` (``runstack``), the demo logins (``seed_demo``) and
    the simulators' accounts. It sits on top of every app; nothing imports it."""

    name = "portal.demo"
    label = "demo"
