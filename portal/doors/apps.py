from django.apps import AppConfig


class DoorsConfig(AppConfig):
    name = "portal.doors"
    label = "doors"
