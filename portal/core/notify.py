"""Announcing what happened, for whoever listens outside (the API's outbound webhooks).

Any app may call ``emit``: it sends a signal and knows nothing of webhooks. The API app receives
it inside the caller's transaction, so a delivery row commits with the change or not at all.
"""

from __future__ import annotations

from django.dispatch import Signal

#: every event an endpoint can subscribe to, with what it means; features add theirs here
EVENTS: dict[str, str] = {
    "person.created": "A person was added.",
    "person.changed": "A person's fields changed.",
    "person.terminated": "A person was terminated.",
    "person.rehired": "A terminated person was rehired.",
    "sync_account.failed": "A vendor account refused Workgate's credentials and was paused.",
    "sync_account.recovered": "A paused vendor account works again.",
    "offboarding.confirmed": "Every connected system confirmed a terminated person's access is gone.",
    "door_alarm.raised": "A door or device alarm was raised (forced, held open, offline, tamper).",
    "door_alarm.acknowledged": "Someone acknowledged a door or device alarm.",
    "door_command.finished": "A door command got its outcome (done, failed, expired, unknown).",
    "lockdown.started": "A lockdown of a site (or every site) started.",
    "lockdown.ended": "A lockdown ended; its doors are released to their schedule.",
    "timecard_period.approved": "A person's timecard period was approved (and locked).",
}

#: sent with ``event`` (a key of EVENTS), ``subject`` ("person:42") and ``data`` (JSON values)
event_emitted = Signal()


def emit(event: str, subject: str, data: dict) -> None:
    """Announce ``event`` about ``subject``. Deliveries of one subject keep their order."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; add it to portal.core.notify.EVENTS")
    event_emitted.send(sender=None, event=event, subject=subject, data=data)
