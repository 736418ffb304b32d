"""Delivering outbox messages to vendors: claim, send the newest per record, record the answer.

A message is claimed by pushing its ``scheduled_for`` into the future in a short transaction,
several due records at a time (their people and rules are then read once for the batch); the
vendor calls happen outside any transaction, and a crashed worker's claim simply lapses. Each
account drains in its own task (``fan_out``), so the push worker's processes serve the vendors
side by side, each process keeping one session per account.
Retryable errors back off exponentially (capped, with jitter); rate limits wait for the vendor's
reset; after MAX_ATTEMPTS, or on an error no retry can fix, the message is parked as failed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Collection
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from connectors import errors
from portal.sync import backoff, dispatch
from portal.sync.connectors import kept_connector
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.offboarding import note_delivery
from portal.sync.org_outbox import send_org
from portal.sync.push_batch import PersonBatch
from portal.sync.push_record import SentAnswers
from portal.sync.reconcile import reconcile_person

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=30)
CLAIM_FOR = timedelta(minutes=2)
#: due records claimed in one transaction: their people, rules and vendor records are read
#: once for all (a vendor's list read serves the more messages the bigger the batch; the rest
#: of a batch that takes too long is given back, see deliver_batch)
CLAIM_BATCH = 500


_jitter = random.Random()


def next_attempt_delay(attempts: int, rng: random.Random = _jitter) -> timedelta:
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(attempts - 1, 0)))
    return ceiling * rng.uniform(0.5, 1.0)


def claim_next() -> OutboxMessage | None:
    """The oldest due record's newest message (see :func:`claim_batch`)."""
    claimed = claim_batch(size=1)
    return claimed[0] if claimed else None


def claim_batch(*, account_id: int | None = None, size: int = CLAIM_BATCH) -> list[OutboxMessage]:
    """Up to ``size`` due records' newest messages (of one account, if given), oldest due first;
    older pending ones of those records are superseded. One short transaction when uncontended.

    Deadlock-free with many workers: a claim never waits for a row lock while it holds one. It
    takes the due rows and their records' other pending rows with SKIP LOCKED; a record some of
    whose rows another worker holds is left out. Only when every record found is held so does it
    let go of everything and wait for the first one's rows in id order (the one order every
    waiting claim uses). A message is claimed only by a worker holding every pending row of its
    record, so two workers never send the same record at once.
    """
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    while True:
        now = timezone.now()
        with transaction.atomic():
            due_rows = pending.select_for_update(skip_locked=True, of=("self",)).filter(
                scheduled_for__lte=now, account__paused_at__isnull=True
            )
            if account_id is not None:
                due_rows = due_rows.filter(account_id=account_id)
            due = list(due_rows.order_by("scheduled_for", "id")[:size])
            if not due:
                return []
            records = list(dict.fromkeys(_record_of(message) for message in due))
            every_id = _pending_ids_of(pending, records)
            held: dict[tuple, list[OutboxMessage]] = {}
            locked = pending.filter(pk__in=[i for ids in every_id.values() for i in ids])
            for message in locked.select_for_update(skip_locked=True).order_by("id"):
                held.setdefault(_record_of(message), []).append(message)
            whole = [r for r in records if {m.pk for m in held.get(r, [])} == every_id[r]]
            claimed = _claim_newest_of([held[r] for r in whole], now)
        if claimed:
            return claimed
        if len(whole) < len(records):  # all held elsewhere: wait for the first, holding nothing
            account, content_type, object_id = next(r for r in records if r not in whole)
            same_record = pending.filter(
                account_id=account, content_type_id=content_type, object_id=object_id
            ).order_by("id")
            with transaction.atomic():
                rows = list(same_record.select_for_update())
                one = _claim_newest(rows, timezone.now())
            if one is not None:
                return [one]


def _record_of(message: OutboxMessage) -> tuple[int, int, int]:
    return (message.account_id, message.content_type_id, message.object_id)


def _pending_ids_of(pending, records: list[tuple]) -> dict[tuple, set[int]]:
    """Per record, the ids of its pending rows: one query (a superset narrowed here)."""
    every_id: dict[tuple, set[int]] = {record: set() for record in records}
    rows = pending.filter(
        account_id__in={r[0] for r in records},
        content_type_id__in={r[1] for r in records},
        object_id__in={r[2] for r in records},
    ).values_list("id", "account_id", "content_type_id", "object_id")
    for pk, *record in rows:
        if tuple(record) in every_id:
            every_id[tuple(record)].add(pk)
    return every_id


def _claim_newest_of(records: list[list[OutboxMessage]], now: datetime) -> list[OutboxMessage]:
    """:func:`_claim_newest` for many records' locked rows, in two statements at most."""
    superseded = {older.pk: rows[-1].pk for rows in records if len(rows) > 1 for older in rows[:-1]}
    if superseded:
        OutboxMessage.objects.filter(pk__in=superseded).update(
            status=OutboxMessage.Status.SUPERSEDED,
            last_error=Case(
                *[
                    When(pk=pk, then=Value(f"Replaced by newer change #{newest}"))
                    for pk, newest in superseded.items()
                ],
                output_field=TextField(),
            ),
        )
    claimed = [
        rows[-1]
        for rows in records
        if rows[-1].scheduled_for <= now  # else: already being sent, or waits for its retry
    ]
    if claimed:
        until = now + CLAIM_FOR
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            attempts=F("attempts") + 1, scheduled_for=until
        )
        for message in claimed:  # the rows are locked: these are the stored values
            message.attempts += 1
            message.scheduled_for = until
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


def fan_out() -> list[int]:
    """Queue one drain per account with due messages (beat's and every change's kick).

    Each account drains in its own task: the push queue's worker processes serve the accounts
    at once, one slow vendor holds up no other, and each process keeps one session per account.
    """
    due = (
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING,
            scheduled_for__lte=timezone.now(),
            account__paused_at__isnull=True,
        )
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )
    account_ids = list(due)
    for account_id in account_ids:
        dispatch.drain_account(account_id)
    return account_ids


def drain(
    *, account_id: int | None = None, transport=None, sleep=time.sleep, limit: int = 500
) -> int:
    """Deliver due messages (of one account, if given) until none is due (or ``limit``), a
    batch of claims at a time; returns how many were handled."""
    handled = 0
    while handled < limit:
        batch = claim_batch(account_id=account_id, size=min(CLAIM_BATCH, limit - handled))
        if not batch:
            break
        handled += deliver_batch(batch, transport=transport, sleep=sleep)
    return handled


def deliver_batch(batch: list[OutboxMessage], *, transport=None, sleep=time.sleep) -> int:
    """Deliver claimed messages in turn; returns how many were delivered.

    The rest of the batch is given back (due again, the try not counted) when an account stops
    taking messages (rate limit, paused), and when the batch has taken half the claim's time,
    so that no claim lapses while its message still waits here.
    """
    started = time.monotonic()
    accounts = VendorAccount.objects.in_bulk({message.account_id for message in batch})
    for message in batch:
        message.account = accounts[message.account_id]  # one read per account, not per message
    known = PersonBatch.load(batch)
    answers = SentAnswers(known)
    resume_at: dict[int, datetime] = {}  # account id -> when its messages may go again
    delivered, given_back = 0, []
    try:
        for message in batch:
            late = time.monotonic() - started > CLAIM_FOR.total_seconds() / 2
            if late or message.account_id in resume_at:
                given_back.append(message)
                continue
            stop = _deliver(message, transport=transport, sleep=sleep, known=known, answers=answers)
            if message.status == OutboxMessage.Status.SENT:
                answers.add(message)
            elif known.needs_note(message):
                note_delivery(message)  # an offboarding's step takes the failure
            delivered += 1
            if stop is not None:
                resume_at[message.account_id] = stop
    finally:
        answers.flush()  # what was sent is recorded, whatever stopped the batch
    for message in given_back:
        _give_back(message, resume_at.get(message.account_id))
    return delivered


def _give_back(message: OutboxMessage, at: datetime | None) -> None:
    """An unsent claimed message is due again (at ``at``), its claim's try not counted."""
    OutboxMessage.objects.filter(
        pk=message.pk, status=OutboxMessage.Status.PENDING, scheduled_for=message.scheduled_for
    ).update(attempts=F("attempts") - 1, scheduled_for=at or timezone.now())


def _deliver(
    message: OutboxMessage,
    *,
    known: PersonBatch,
    answers: SentAnswers,
    transport=None,
    sleep=time.sleep,
) -> datetime | None:
    """Send one message and settle it (a sent one is left for the batch to record); returns when
    its account may be called again if it asked us to stop for now (rate limit, credentials
    refused), else None."""
    try:
        send = SENDERS.get(message.record_kind, send_person)
        if send is send_person:
            from_batch = {"known": known}
        elif send is send_punch:  # sent already, though the database still says pending
            from_batch = {"unrecorded": answers.waiting_ids()}
        else:
            from_batch = {}
        answer = send(message, transport=transport, sleep=sleep, **from_batch)
    except WaitForEarlier as wait:
        message.attempts -= 1  # not a try: an earlier punch of the person goes first
        message.scheduled_for = timezone.now() + WAIT_FOR_EARLIER
        message.last_error = str(wait)
        message.save(update_fields=["attempts", "scheduled_for", "last_error"])
        return None
    except errors.RateLimitError as exc:
        wait = timedelta(seconds=exc.retry_after or 60)
        _retry_later(message, exc, wait, count_attempt=False)
        return message.scheduled_for
    except errors.ConnectorError as exc:
        if backoff.pauses_account(exc):
            # credentials or licence refused: the account pauses and the message waits for it
            backoff.pause_account(message.account_id, exc)
            _retry_later(message, exc, timedelta(0), count_attempt=False)
            return message.scheduled_for
        elif exc.is_retryable and message.attempts < MAX_ATTEMPTS:
            _retry_later(message, exc, next_attempt_delay(message.attempts))
        else:
            _fail(message, exc)
    else:  # recorded by the batch's SentAnswers, with the others
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.vendor_answer = answer
        message.last_error = ""
    return None


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


def send_punch(
    message: OutboxMessage,
    *,
    transport=None,
    sleep=time.sleep,
    unrecorded: Collection[int] = (),
) -> dict:
    """Record one punch made elsewhere at the target, in order and at most once.

    A message tried before may have reached the vendor with its answer lost: the punch is looked
    up first and, when found, not sent again. An earlier punch of the same person still waiting
    for the same account goes first (a check-out needs its check-in); ``unrecorded``: messages
    this batch has sent whose answers are not recorded yet (they are not waiting).
    """
    payload = message.payload
    earlier = OutboxMessage.objects.filter(
        account_id=message.account_id,
        record_kind=message.record_kind,
        status=OutboxMessage.Status.PENDING,
        id__lt=message.pk,
        payload__person_id=payload["person_id"],
    ).exclude(pk__in=unrecorded)
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


def send_person(
    message: OutboxMessage, *, known: PersonBatch, transport=None, sleep=time.sleep
) -> dict:
    """Reconcile the message's (account, person) pair with the person as they are now, as the
    message's batch read them (``known``, which records the pushed link with the answer)."""
    account = message.account
    person = known.people.get(message.object_id)
    if person is None:
        raise errors.NotFoundError(
            f"Person #{message.object_id} no longer exists in Workgate: there is nothing to send."
        )
    # the account's kept connector: one vendor login serves every push and pull of this worker
    with kept_connector(account, transport=transport, sleep=sleep) as connector:
        known.read_vendor_records(connector, account.pk)
        return reconcile_person(connector, account, person, known)


#: how each kind of outbox message is delivered (people and the organisation's records are
#: reconciled, punches recorded)
SENDERS = {
    "person": send_person,
    "punch": send_punch,
    "department": send_org,
    "position": send_org,
    "site": send_org,
}
