from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "portal.sync"
    label = "sync"

    def ready(self):
        # connect the schedule upkeep and the reactions to people's changes (outbox, rematch)
        from portal.sync import directory, receivers, signals  # noqa: F401

        directory.register()  # the systems and problems the people directory shows
