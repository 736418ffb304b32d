from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "portal.people"
    label = "people"

    def ready(self):
        from portal.core.audit_text import register_reference

        # audit entries of people hold these as ids: the audit log shows their names
        register_reference("department", "people.Department")
        register_reference("position", "people.Position")
        register_reference("manager", "people.Person")
        register_reference("sites", "people.Site")
        register_reference("parent", "people.Department")  # a department's parent
