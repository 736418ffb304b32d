"""Corrections, approvals and exports: the one place pages, API and admin change timecards.

Each function checks permission and team, refuses writes into an approved period, writes,
audits and recomputes only the person-days it touched.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from portal.attendance.compute import recompute
from portal.attendance.context import PeopleContext, as_shift, base_rules
from portal.attendance.models import Approval, Punch, TimeCard, TimePeriod
from portal.attendance.rules import BLOCKING
from portal.attendance.rules.workday import work_date
from portal.attendance.selectors import visible_people
from portal.attendance.signals import announce_punches
from portal.core import audit, notify

CORRECT = "attendance.change_timecard"
APPROVE = "attendance.approve_timecard"
REOPEN = "attendance.reopen_timeperiod"
EXPORT = "attendance.export_timecards"


class TimecardError(Exception):
    """A refusal a person can act on; the message says what to do."""


class PeriodLocked(TimecardError):
    pass


def _allowed(actor, permission: str, person) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied("You may not do this: ask an administrator for the role.")
    if not visible_people(actor).filter(pk=person.pk).exists():
        raise PermissionDenied("This person is not in your teams.")


def _required(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise TimecardError(f"Give a {what}: it is kept with the change and shown on the card.")
    return text[:300]


def work_day_of(person, at: datetime) -> date:
    """The work day a punch at ``at`` belongs to, by the person's shift and zone."""
    day = at.astimezone(ZoneInfo("UTC")).date()
    context = PeopleContext([person.pk], day - timedelta(days=1), day + timedelta(days=1))
    pattern = context.pattern(person.pk)
    rules = base_rules(context.time_zone(person.pk))
    return work_date(at, as_shift(pattern) if pattern else None, rules, ZoneInfo(rules.time_zone))


def locked_period(person, day: date) -> TimePeriod | None:
    return TimePeriod.objects.filter(
        person=person, status=TimePeriod.Status.APPROVED, start__lte=day, end__gte=day
    ).first()


def _refuse_if_locked(person, *days: date) -> None:
    for day in days:
        period = locked_period(person, day)
        if period is not None:
            raise PeriodLocked(
                f"{day:%a %d %b %Y} is in an approved period ({period.start:%d %b}\u2013"
                f"{period.end:%d %b}). Reopen the period first."
            )


def _punch_state(punch: Punch) -> dict:
    return {
        "person": punch.person_id,
        "at": punch.punched_at.isoformat(),
        "direction": punch.direction,
        "voided": punch.voided_at is not None,
    }


def add_punch(actor, person, at: datetime, direction: str, reason: str, request=None) -> Punch:
    _allowed(actor, CORRECT, person)
    reason = _required(reason, "reason")
    day = work_day_of(person, at)
    with transaction.atomic():
        _refuse_if_locked(person, day)
        punch = _manual_punch(actor, person, at, direction, reason)
        audit.record(
            "timecards.punch_added",
            request=request,
            actor=actor,
            obj=punch,
            after={**_punch_state(punch), "reason": reason},
        )
        recompute([(person.pk, day)])
        # a missing punch added by hand reaches the time systems like a clock's punch; a moved
        # one does not (they hold the original, and a second copy would double the day)
        announce_punches([punch.pk])
    return punch


def _manual_punch(actor, person, at, direction, reason, moved_from=None) -> Punch:
    zone = ZoneInfo(PeopleContext([person.pk], at.date(), at.date()).time_zone(person.pk))
    return Punch.objects.create(
        account=None,
        source=Punch.Source.MANUAL,
        vendor_id=f"manual:{uuid.uuid4()}",
        person=person,
        punched_at=at,
        direction=direction,
        local_time=f"{at.astimezone(zone):%Y-%m-%d %H:%M:%S}",
        time_zone=zone.key,
        created_by=actor,
        reason=reason,
        moved_from=moved_from,
    )


def move_punch(actor, punch: Punch, at: datetime, reason: str, request=None) -> Punch:
    """The original stays, voided and pointed at by the corrected one."""
    person = punch.person
    _allowed(actor, CORRECT, person)
    reason = _required(reason, "reason")
    if punch.voided_at is not None:
        raise TimecardError("This punch was already voided or moved; change its replacement.")
    old_day, new_day = work_day_of(person, punch.punched_at), work_day_of(person, at)
    with transaction.atomic():
        _refuse_if_locked(person, old_day, new_day)
        before = _punch_state(punch)
        moved = _manual_punch(actor, person, at, punch.direction, reason, moved_from=punch)
        _void(actor, punch, f"moved to {at:%Y-%m-%d %H:%M} UTC: {reason}")
        audit.record(
            "timecards.punch_moved",
            request=request,
            actor=actor,
            obj=punch,
            before=before,
            after={**_punch_state(moved), "reason": reason, "new_punch": moved.pk},
        )
        recompute([(person.pk, old_day), (person.pk, new_day)])
    return moved


def void_punch(actor, punch: Punch, reason: str, request=None) -> None:
    person = punch.person
    _allowed(actor, CORRECT, person)
    reason = _required(reason, "reason")
    if punch.voided_at is not None:
        raise TimecardError("This punch is already voided.")
    day = work_day_of(person, punch.punched_at)
    with transaction.atomic():
        _refuse_if_locked(person, day)
        before = _punch_state(punch)
        _void(actor, punch, reason)
        audit.record(
            "timecards.punch_voided",
            request=request,
            actor=actor,
            obj=punch,
            before=before,
            after={**_punch_state(punch), "reason": reason},
        )
        recompute([(person.pk, day)])


def _void(actor, punch: Punch, reason: str) -> None:
    punch.voided_at, punch.voided_by, punch.void_reason = timezone.now(), actor, reason[:300]
    punch.save(update_fields=["voided_at", "voided_by", "void_reason"])


def blocking_days(person, start: date, end: date) -> list[date]:
    cards = TimeCard.objects.filter(person=person, work_date__range=(start, end))
    return [c.work_date for c in cards.only("work_date", "flags") if set(c.flags) & BLOCKING]


def _period(person, start: date, end: date) -> TimePeriod:
    if end < start or (end - start).days > 31:
        raise TimecardError("A period is one day to 31 days long; pick a week or a month.")
    period, _ = TimePeriod.objects.select_for_update().get_or_create(
        person=person, start=start, end=end
    )
    return period


def _decide(actor, period, status, decision, comment, request, action) -> TimePeriod:
    before = {"status": period.status}
    period.status, period.decided_by = status, actor
    period.decided_at, period.comment = timezone.now(), comment
    period.save()
    Approval.objects.create(period=period, decided_by=actor, decision=decision, comment=comment)
    audit.record(
        action,
        request=request,
        actor=actor,
        obj=period,
        before=before,
        after={"status": status, "comment": comment},
    )
    return period


def approve_period(actor, person, start: date, end: date, request=None) -> TimePeriod:
    _allowed(actor, APPROVE, person)
    missing = blocking_days(person, start, end)
    if missing:
        days = ", ".join(f"{d:%a %d %b}" for d in missing)
        raise TimecardError(f"Correct the missing punches first ({days}).")
    with transaction.atomic():
        period = _period(person, start, end)
        if period.locked:
            return period
        TimeCard.objects.filter(person=person, work_date__range=(start, end)).update(
            status=TimeCard.Status.APPROVED
        )
        period = _decide(
            actor,
            period,
            TimePeriod.Status.APPROVED,
            Approval.Decision.APPROVED,
            "",
            request,
            "timecards.period_approved",
        )
        notify.emit("timecard_period.approved", f"person:{person.pk}", period_event(period))
        return period


def period_event(period: TimePeriod) -> dict:
    """What a webhook receiver (payroll) hears of an approved period: who, which days, totals."""
    cards = TimeCard.objects.filter(person_id=period.person_id, work_date__range=period.span)
    totals = {"worked_minutes": 0, "overtime_minutes": 0, "break_minutes": 0}
    for card in cards.only(*totals, "weekly_overtime_minutes"):
        totals["worked_minutes"] += card.worked_minutes
        totals["overtime_minutes"] += card.overtime_minutes + card.weekly_overtime_minutes
        totals["break_minutes"] += card.break_minutes
    return {
        "id": period.pk,
        "person": period.person_id,
        "employee_code": period.person.employee_code,
        "start": period.start,
        "end": period.end,
        "status": period.status,
        "decided_by": period.decided_by.get_username() if period.decided_by else None,
        "decided_at": period.decided_at,
        **totals,
    }


def reject_period(actor, person, start, end, comment: str, request=None) -> TimePeriod:
    _allowed(actor, APPROVE, person)
    comment = _required(comment, "comment saying what to correct")
    with transaction.atomic():
        period = _period(person, start, end)
        if period.locked:
            raise PeriodLocked("This period is approved. Reopen it before rejecting it.")
        return _decide(
            actor,
            period,
            TimePeriod.Status.REJECTED,
            Approval.Decision.REJECTED,
            comment,
            request,
            "timecards.period_rejected",
        )


def reopen_period(actor, person, start, end, reason: str, request=None) -> list[TimePeriod]:
    """Unlocks every approved period overlapping these days (a month view reopens its weeks);
    punches that arrived after approval count from now on."""
    _allowed(actor, REOPEN, person)
    reason = _required(reason, "reason")
    with transaction.atomic():
        periods = list(
            TimePeriod.objects.select_for_update().filter(
                person=person,
                status=TimePeriod.Status.APPROVED,
                start__lte=end,
                end__gte=start,
            )
        )
        if not periods:
            raise TimecardError("Nothing here is approved; there is nothing to reopen.")
        for period in periods:
            _decide(
                actor,
                period,
                TimePeriod.Status.OPEN,
                Approval.Decision.REOPENED,
                reason,
                request,
                "timecards.period_reopened",
            )
            days = [
                period.start + timedelta(days=i)
                for i in range((period.end - period.start).days + 1)
            ]
            recompute([(person.pk, d) for d in days])
    return periods


def bulk_approve(actor, people, start: date, end: date, request=None):
    """Approve the periods without blocking exceptions; returns (approved, left open)."""
    approved, left = [], []
    for person in people:
        try:
            approve_period(actor, person, start, end, request=request)
            approved.append(person)
        except TimecardError:
            left.append(person)
    return approved, left


def record_export(actor, start: date, end: date, kind: str, people_count: int, request=None):
    """Exports are read-only: recorded, never locking anyone out."""
    if not actor.has_perm(EXPORT):
        raise PermissionDenied("Exporting timecards needs the export permission.")
    audit.record(
        "timecards.exported",
        request=request,
        actor=actor,
        after={
            "start": start.isoformat(),
            "end": end.isoformat(),
            "format": kind,
            "people": people_count,
        },
    )
