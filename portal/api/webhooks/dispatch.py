"""Queueing the webhook drain on the push queue once the change commits."""

from portal.core.queueing import send_on_commit

DELIVER_WEBHOOKS = "portal.api.tasks.deliver_webhooks"
QUEUE = "push"


def deliver_on_commit() -> None:
    send_on_commit(DELIVER_WEBHOOKS, QUEUE, fallback="beat's webhook drain")
