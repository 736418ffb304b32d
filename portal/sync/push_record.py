"""Recording a batch's sent messages together: one transaction (one commit, one fsync) for
many answers instead of one each.

A message's answer is kept here from the moment the vendor gave it until the next flush, which
comes at least every ``FLUSH_EVERY`` seconds and at the end of the batch. The outbox's promises
hold: a worker killed before a flush sends again only what was not recorded (its claims lapse;
the reconcile is idempotent), and nothing is recorded as sent that was not sent.
"""

from __future__ import annotations

import time

from django.db import transaction

from portal.core.bulk_update import update_fields
from portal.sync.models import ExternalLink, OutboxMessage
from portal.sync.offboarding import note_delivery
from portal.sync.push_batch import PersonBatch

#: seconds of sent answers a worker may hold before recording them
FLUSH_EVERY = 1.0
SENT_FIELDS = ["status", "sent_at", "vendor_answer", "last_error"]


class SentAnswers:
    def __init__(self, known: PersonBatch):
        self.known = known
        self.waiting: list[OutboxMessage] = []
        self.since = time.monotonic()

    def add(self, message: OutboxMessage) -> None:
        """``message`` was sent (its fields say the answer): record it with the next flush."""
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append(message)
        if time.monotonic() - self.since >= FLUSH_EVERY:
            self.flush()

    def waiting_ids(self) -> list[int]:
        """The messages sent and not recorded yet (the database still has them pending)."""
        return [message.pk for message in self.waiting]

    def flush(self) -> None:
        """Record the waiting answers, the links they pushed and their offboarding steps."""
        if not self.waiting:
            return
        messages, self.waiting = self.waiting, []
        links = []
        for message in messages:
            pair = self.known.known.get((message.account_id, message.object_id))
            if message.record_kind == "person" and pair is not None and pair.pushed:
                links.append(pair.link)
                pair.pushed = False
        with transaction.atomic():
            update_fields(OutboxMessage, messages, SENT_FIELDS)
            update_fields(ExternalLink, links, ["last_pushed_at"])
            for message in messages:
                if self.known.needs_note(message):
                    note_delivery(message)  # an offboarding's step takes the answer and proof
