"""What sync does when the domain changes. People sends ``person_changed``; sync reacts here.

Receivers run inside the transaction of the change (the signal is sent synchronously in it), so
the outbox row commits with the person or not at all.
"""

from django.dispatch import receiver

from portal.attendance import signals as attendance
from portal.people import signals as people
from portal.sync.access_problems import resolve_on_rehire
from portal.sync.identity import rematch_unmatched
from portal.sync.offboarding import close_on_rehire, start_steps
from portal.sync.org_outbox import enqueue_org
from portal.sync.outbox import enqueue_person
from portal.sync.punch_outbox import enqueue_punches

#: the domain's word for a change → the outbox message's action
OUTBOX_ACTIONS = {
    people.CREATED: "create",
    people.UPDATED: "update",
    people.TERMINATED: "terminate",
    people.REHIRED: "rehire",
}


#: what the provisioning rules look at: a change of these may move the person in or out of systems
PROVISIONING_FIELDS = {"sites", "department", "position"}


@receiver(people.person_changed, dispatch_uid="sync.person_outbox")
def push_person_change(sender, person, action, changed, **kwargs):
    moves = action == people.REHIRED or bool(PROVISIONING_FIELDS & set(changed))
    messages = enqueue_person(person, OUTBOX_ACTIONS[action], provisioning_changed=moves)
    if action == people.TERMINATED:
        start_steps(person, messages)  # each system's step waits for its read-back proof
    if action == people.REHIRED:
        resolve_on_rehire(person)
        close_on_rehire(person)
    if action == people.CREATED:
        rematch_unmatched()  # a vendor record may have been waiting for exactly this person


@receiver(attendance.punches_stored, dispatch_uid="sync.punch_outbox")
def push_new_punches(sender, punch_ids, **kwargs):
    enqueue_punches(punch_ids)  # to the time systems that take punches from other clocks


@receiver(people.org_changed, dispatch_uid="sync.org_outbox")
def push_org_change(sender, obj, kind, action, **kwargs):
    enqueue_org(obj, kind, action)  # to BioTime (departments, positions, areas), BioStar (groups)
