from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "portal.sync"
    label = "sync"

    def ready(self):
        from portal.sync import signals  # noqa: F401  (connects the schedule upkeep)
