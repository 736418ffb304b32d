"""Delivering outbox messages to vendors: claim, send the newest per record, record the answer.

A message is claimed by pushing its ``scheduled_for`` into the future in a short transaction;
the vendor call happens outside any transaction, and a crashed worker's claim simply lapses.
Retryable errors back off exponentially (capped, with jitter); rate limits wait for the vendor's
reset; after MAX_ATTEMPTS, or on an error no retry can fix, the message is parked as failed.
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from connectors import errors
from portal.people.models import Person
from portal.sync import backoff
from portal.sync.connectors import kept_connector
from portal.sync.models import OutboxMessage
from portal.sync.offboarding import note_delivery
from portal.sync.org_outbox import send_org
from portal.sync.reconcile import reconcile_person

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
CLAIM_FOR = timedelta(minutes=2)


_jitter = random.Random()


def next_attempt_delay(attempts: int, rng: random.Random = _jitter) -> timedelta:
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return ceiling * rng.uniform(0.5, 1.0)


def claim_next() -> OutboxMessage | None:
    """The oldest due record's newest message; older pending ones for that record are superseded.

    Deadlock-free with many workers: a claim never waits for a row lock while it holds one. It
    takes the due row and the record's other pending rows with SKIP LOCKED; only if another worker
    holds some of them does it let go of everything and wait for the record's rows in id order
    (the one order every waiting claim uses). A message is claimed only by a worker holding every
    pending row of its record, so two workers never send the same record at once.
    """
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    while True:
        now = timezone.now()
        with transaction.atomic():
            due = (
                pending.select_for_update(skip_locked=True, of=("self",))
                .filter(scheduled_for__lte=now, account__paused_at__isnull=True)
                .order_by("scheduled_for", "id")
                .first()
            )
            if due is None:
                return None
            same_record = pending.filter(
                account_id=due.account_id,
                content_type_id=due.content_type_id,
                object_id=due.object_id,
            ).order_by("id")
            every_id = set(same_record.values_list("id", flat=True))
            held = list(same_record.select_for_update(skip_locked=True))
            contended = not every_id <= {message.pk for message in held}
            claimed = None if contended else _claim_newest(held, now)
        if contended:  # the locks above are released: wait for the record's rows, holding nothing
            with transaction.atomic():
                rows = list(same_record.select_for_update())
                claimed = _claim_newest(rows, timezone.now())
        if claimed is not None:
            return claimed


def _claim_newest(rows: list[OutboxMessage], now: datetime) -> OutboxMessage | None:
    """Of one record's locked pending rows (by id), supersede the older and claim the newest.

    Nothing is claimed when none is due (another worker got there first) or when the newest is
    not due: it is already being sent, or waits for its retry.
    """
    if not any(message.scheduled_for <= now for message in rows):
        return None
    newest, older = rows[-1], rows[:-1]
    OutboxMessage.objects.filter(pk__in=[message.pk for message in older]).update(
        status=OutboxMessage.Status.SUPERSEDED,
        last_error=f"Replaced by newer change #{newest.pk}",
    )
    if newest.scheduled_for > now:
        return None
    newest.attempts += 1
    newest.scheduled_for = now + CLAIM_FOR
    newest.save(update_fields=["attempts", "scheduled_for"])
    return newest


def drain(*, transport=None, sleep=time.sleep, limit: int = 500) -> int:
    """Deliver due messages until none is due (or ``limit``); returns how many were handled."""
    handled = 0
    while handled < limit and (message := claim_next()) is not None:
        deliver(message, transport=transport, sleep=sleep)
        handled += 1
    return handled


def deliver(message: OutboxMessage, *, transport=None, sleep=time.sleep) -> None:
    _deliver(message, transport=transport, sleep=sleep)
    note_delivery(message)  # an offboarding's step takes the answer and its read-back proof


def _deliver(message: OutboxMessage, *, transport=None, sleep=time.sleep) -> None:
    send = SENDERS.get(message.record_kind, send_person)
    try:
        answer = send(message, transport=transport, sleep=sleep)
    except WaitForEarlier as wait:
        message.attempts -= 1  # not a try: an earlier punch of the person goes first
        message.scheduled_for = timezone.now() + WAIT_FOR_EARLIER
        message.last_error = str(wait)
        message.save(update_fields=["attempts", "scheduled_for", "last_error"])
        return
    except errors.RateLimitError as exc:
        wait = timedelta(seconds=exc.retry_after or 60)
        _retry_later(message, exc, wait, count_attempt=False)
    except errors.ConnectorError as exc:
        if backoff.pauses_account(exc):
            # credentials or licence refused: the account pauses and the message waits for it
            backoff.pause_account(message.account_id, exc)
            _retry_later(message, exc, timedelta(0), count_attempt=False)
        elif exc.is_retryable and message.attempts < MAX_ATTEMPTS:
            _retry_later(message, exc, next_attempt_delay(message.attempts))
        else:
            _fail(message, exc)
    else:
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.vendor_answer = answer
        message.last_error = ""
        message.save(update_fields=["status", "sent_at", "vendor_answer", "last_error"])


def _retry_later(message, exc, wait: timedelta, count_attempt: bool = True) -> None:
    if not count_attempt:
        message.attempts -= 1  # the vendor asked us to wait; that is not a failed try
    message.scheduled_for = timezone.now() + wait
    message.last_error = _describe(exc)
    message.save(update_fields=["attempts", "scheduled_for", "last_error"])


def _fail(message, exc) -> None:
    message.status = OutboxMessage.Status.FAILED
    message.last_error = _describe(exc)
    message.save(update_fields=["status", "last_error"])


def _describe(exc: errors.ConnectorError) -> str:
    field = getattr(exc, "field", None)
    where = f" (field {field})" if field else ""
    return f"{type(exc).__name__}{where}: {exc.message}"


def send_punch(message: OutboxMessage, *, transport=None, sleep=time.sleep) -> dict:
    """Record one punch made elsewhere at the target, in order and at most once.

    A message tried before may have reached the vendor with its answer lost: the punch is looked
    up first and, when found, not sent again. An earlier punch of the same person still waiting
    for the same account goes first (a check-out needs its check-in).
    """
    payload = message.payload
    earlier = OutboxMessage.objects.filter(
        account_id=message.account_id,
        record_kind=message.record_kind,
        status=OutboxMessage.Status.PENDING,
        id__lt=message.pk,
        payload__person_id=payload["person_id"],
    )
    if earlier.exists():
        raise WaitForEarlier("Waiting for an earlier punch of this person to be sent first.")
    at = datetime.fromisoformat(payload["occurred_at"])
    person_vendor_id, direction = payload["person_vendor_id"], payload["direction"]
    with kept_connector(message.account, transport=transport, sleep=sleep) as connector:
        found = None
        if message.attempts > 1 or message.last_error:  # an earlier try may have got through
            found = connector.find_punch(person_vendor_id, at, direction)
        record = found or connector.send_punch(
            person_vendor_id, at, direction, note="Punch from another clock, sent by Workgate"
        )
    return {
        "vendor_id": record.vendor_id,
        "occurred_at": record.occurred_at.isoformat(),
        "direction": record.direction,
        "found_already_recorded": found is not None,
    }


class WaitForEarlier(Exception):
    """The message must wait for an earlier one of the same person: not a failure."""


WAIT_FOR_EARLIER = timedelta(seconds=5)


def send_person(message: OutboxMessage, *, transport=None, sleep=time.sleep) -> dict:
    """Reconcile the message's (account, person) pair with the person as they are now."""
    account = message.account
    person = Person.objects.filter(pk=message.object_id).first()
    if person is None:
        raise errors.NotFoundError(
            f"Person #{message.object_id} no longer exists in Workgate: there is nothing to send."
        )
    # the account's kept connector: one vendor login serves every push and pull of this worker
    with kept_connector(account, transport=transport, sleep=sleep) as connector:
        return reconcile_person(connector, account, person)


#: how each kind of outbox message is delivered (people and the organisation's records are
#: reconciled, punches recorded)
SENDERS = {
    "person": send_person,
    "punch": send_punch,
    "department": send_org,
    "position": send_org,
    "site": send_org,
}
