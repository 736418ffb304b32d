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
}

#: sent with ``event`` (a key of EVENTS), ``subject`` ("person:42") and ``data`` (JSON values)
event_emitted = Signal()


def emit(event: str, subject: str, data: dict) -> None:
    """Announce ``event`` about ``subject``. Deliveries of one subject keep their order."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}; add it to portal.core.notify.EVENTS")
    event_emitted.send(sender=None, event=event, subject=subject, data=data)
