from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "portal.people"
    label = "people"

    def ready(self):
        from django.db.models.signals import post_save

        from portal.core.audit_text import register_reference
        from portal.people.models import Person
        from portal.people.search import reindex_saved_person

        post_save.connect(reindex_saved_person, sender=Person, dispatch_uid="person-search")

        # audit entries of people hold these as ids: the audit log shows their names
        register_reference("department", "people.Department")
        register_reference("position", "people.Position")
        register_reference("manager", "people.Person")
        register_reference("sites", "people.Site")
        register_reference("parent", "people.Department")  # a department's parent
