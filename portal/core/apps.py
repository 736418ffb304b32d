from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from portal.core.roles import ensure_roles

        # Permissions exist only after every app migrated, so roles are (re)built then.
        post_migrate.connect(ensure_roles, dispatch_uid="portal.core.ensure_roles")
