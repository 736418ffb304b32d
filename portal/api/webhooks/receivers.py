"""Turning what the portal announces into webhook deliveries, inside the change's transaction."""

from django.dispatch import receiver

from portal.api.webhooks.outbox import enqueue
from portal.core import notify
from portal.people import signals as people

PERSON_EVENTS = {
    people.CREATED: "person.created",
    people.UPDATED: "person.changed",
    people.TERMINATED: "person.terminated",
    people.REHIRED: "person.rehired",
}


@receiver(notify.event_emitted, dispatch_uid="api.webhook_deliveries")
def deliver_event(sender, event, subject, data, **kwargs):
    enqueue(event, subject, data)


@receiver(people.person_changed, dispatch_uid="api.person_webhooks")
def announce_person(sender, person, action, changed, **kwargs):
    notify.emit(
        PERSON_EVENTS[action],
        f"person:{person.pk}",
        {
            "id": person.pk,
            "employee_code": person.employee_code,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "status": person.status,
            "termination_date": person.termination_date,
            "changed": list(changed),
        },
    )
