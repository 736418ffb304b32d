"""Carrying punches to the time systems that take them (Zeitstrom app timestamps, WorkTime One's
manual clock): one outbox message per punch and target, written with the punches.

Never twice: a message's idempotency key is the punch's natural key at the target (the
account, the person, in or out, the second it was made), so the same punch read again, or read
from a second clock, or read back from a target it was sent to, finds its key taken. A punch that
came from the target itself, or that the target already holds, is not sent at all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from portal.attendance.days import utc_days
from portal.attendance.models import Punch
from portal.people.models import Person
from portal.sync import dispatch
from portal.sync.models import ExternalLink, OutboxMessage, VendorAccount

RECORD_KIND = "punch"

#: a punch's direction → what a time system is told (a break ends or starts a working session)
SENT_DIRECTION = {"in": "in", "out": "out", "break_out": "out", "break_in": "in"}
#: punches read per query: a pull announces a batch's new punches at once (tens of thousands)
PUNCHES_PER_QUERY = 1_000


def punch_targets() -> list[VendorAccount]:
    accounts = VendorAccount.objects.filter(enabled=True, receives_punches=True)
    return [account for account in accounts if account.takes_punches]


def punch_key(account_id: int, person_id: int, direction: str, at: datetime) -> str:
    second = at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"punch:{account_id}:{person_id}:{direction}:{second}"


def enqueue_punches(punch_ids) -> list[OutboxMessage]:
    """Messages for the new punches ``punch_ids`` to every target that should get them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("enqueue_punches must run in the transaction that stored the punches")
    targets = punch_targets()
    if not targets:
        return []
    ids = list(punch_ids)
    messages = []
    for start in range(0, len(ids), PUNCHES_PER_QUERY):
        messages += _messages_for(ids[start : start + PUNCHES_PER_QUERY], targets)
    # a key already taken is a punch already on its way (or delivered): skipped, not an error
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
    if messages:
        dispatch.drain_outbox()
    return messages


def _messages_for(punch_ids: list[int], targets: list[VendorAccount]) -> list[OutboxMessage]:
    """The messages of these punches (a slice of what was announced) to the targets."""
    punches = list(
        Punch.objects.filter(
            pk__in=punch_ids,
            person__isnull=False,
            direction__in=list(SENT_DIRECTION),
        )
        .select_related("person")
        .defer("raw")  # a message is made of the punch's columns
        .order_by("punched_at", "pk")
    )
    if not punches:
        return []
    people = {punch.person_id for punch in punches}
    links = {
        (account_id, object_id): vendor_id
        for account_id, object_id, vendor_id in ExternalLink.objects.filter(
            account__in=targets,
            content_type=ContentType.objects.get_for_model(Person),
            object_id__in=people,
            gone_at__isnull=True,
        ).values_list("account_id", "object_id", "vendor_id")
    }
    held = _already_held(targets, people, punches)
    punch_type = ContentType.objects.get_for_model(Punch)
    now = timezone.now()
    messages = []
    for punch in punches:
        direction = SENT_DIRECTION[punch.direction]
        for target in targets:
            vendor_id = links.get((target.pk, punch.person_id))
            key = punch_key(target.pk, punch.person_id, direction, punch.punched_at)
            if (
                punch.account_id == target.pk  # its own punch
                or vendor_id is None  # the person is not there
                or (target.receives_punches_since or punch.punched_at) > punch.punched_at
                or key in held
            ):
                continue
            messages.append(
                OutboxMessage(
                    account=target,
                    record_kind=RECORD_KIND,
                    action="create",
                    content_type=punch_type,
                    object_id=punch.pk,
                    payload={
                        "person_id": punch.person_id,
                        "person_name": punch.person.full_name,
                        "person_vendor_id": vendor_id,
                        "occurred_at": punch.punched_at.isoformat(),
                        "direction": direction,
                        "source_account_id": punch.account_id,
                    },
                    idempotency_key=key,
                    scheduled_for=now,
                )
            )
    return messages


def _already_held(targets, people, punches) -> set[str]:
    """Keys of punches the targets recorded themselves (pulled from them into the mirror)."""
    first = min(punch.punched_at for punch in punches)
    last = max(punch.punched_at for punch in punches)
    since, until = first.replace(microsecond=0), last + timedelta(seconds=1)
    own = Punch.objects.filter(
        day__in=utc_days(since, until),  # the index's days (portal.attendance.days)
        account__in=targets,
        person_id__in=people,
        punched_at__gte=since,
        punched_at__lt=until,
        direction__in=list(SENT_DIRECTION),
    ).values_list("account_id", "person_id", "direction", "punched_at")
    return {
        punch_key(account_id, person_id, SENT_DIRECTION[direction], at)
        for account_id, person_id, direction, at in own
    }
