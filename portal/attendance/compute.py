"""Recomputing stored timecards for the person-days a punch write touched, never the whole table.

A person-day is recomputed with the rest of its week (weekly overtime depends on the days
before it). A day inside an approved period keeps its approved figures: if the new ones differ,
the card is marked ``arrived_after_approval`` and the figures change only once it is reopened.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone as django_tz

from portal.attendance.context import PeopleContext, as_shift, base_rules, rules_with
from portal.attendance.models import Punch, TimeCard
from portal.attendance.rules import DayCard, RawPunch, apply_weekly_overtime, build_days
from portal.attendance.rules.workday import work_date
from portal.attendance.store import upsert_cards

CHUNK = 200  # people per round of queries


def touched_days(rows: Iterable[tuple[int | None, datetime]]) -> set[tuple[int, date]]:
    """The person-days punches at these instants may belong to: the server's local date, the
    day before (a night shift, a day split at the day start) and after (a site east of here)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    days = set()
    for person_id, at in rows:
        if person_id is None:
            continue
        local = at.astimezone(zone).date()
        for offset in (-1, 0, 1):
            days.add((person_id, local + timedelta(days=offset)))
    return days


def recompute(person_days: Iterable[tuple[int, date]], *, now: datetime | None = None) -> int:
    """Recompute the cards of these person-days (and the rest of their weeks). Returns how many
    cards were written."""
    weeks: dict[int, set[date]] = defaultdict(set)
    for person_id, day in person_days:
        monday = day - timedelta(days=day.weekday())
        weeks[person_id].update(monday + timedelta(days=i) for i in range(7))
    now = now or django_tz.now()
    people = sorted(weeks)
    written = 0
    for i in range(0, len(people), CHUNK):
        chunk = {p: weeks[p] for p in people[i : i + CHUNK]}
        with transaction.atomic():
            written += _recompute_chunk(chunk, now)
    return written


def _recompute_chunk(days_of: dict[int, set[date]], now: datetime) -> int:
    first = min(min(days) for days in days_of.values())
    last = max(max(days) for days in days_of.values())
    context = PeopleContext(days_of, first, last)
    punches = _load_punches(days_of, first, last)
    stored = {
        (card.person_id, card.work_date): card
        for card in TimeCard.objects.filter(
            person_id__in=list(days_of), work_date__range=(first, last)
        )
    }
    cards: list[tuple] = []
    late_arrivals: list[int] = []
    repeats: dict[int, int | None] = {}
    for person_id, days in days_of.items():
        computed, person_repeats = _compute_person(
            person_id, sorted(days), punches.get(person_id, []), context, now
        )
        repeats.update(person_repeats)
        for day, card in computed.items():
            row = _card_row(person_id, card, stored.get((person_id, day)), context, now)
            if isinstance(row, tuple):
                cards.append(row)
            elif row is not None:
                late_arrivals.append(row)
    _store_repeats(repeats, punches)
    upsert_cards(cards)
    if late_arrivals:
        TimeCard.objects.filter(pk__in=late_arrivals).update(
            arrived_after_approval=True, updated_at=now
        )
    return len(cards) + len(late_arrivals)


def _load_punches(days_of, first: date, last: date) -> dict[int, list[tuple]]:
    """(id, at, direction, account, kind, device, source, voided_at, duplicate_of) per person.

    Read with a plain cursor: a full build reads a million rows, and the ORM's per-value
    converters cost more than the rules themselves."""
    since = datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=1)
    until = datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=2)
    query = Punch.objects.filter(
        person_id__in=list(days_of), punched_at__gte=since, punched_at__lt=until
    ).values_list(
        "person_id",
        "id",
        "punched_at",
        "direction",
        "account_id",
        "device_id",
        "source",
        "voided_at",
        "duplicate_of_id",
    )
    sql, params = query.order_by().query.sql_with_params()
    as_utc = _datetime_reader()
    # a handful of accounts; read through the relation, as attendance does not import sync
    accounts = Punch._meta.get_field("account").related_model.objects
    kinds = dict(accounts.values_list("pk", "kind"))
    by_person: dict[int, list[tuple]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for person_id, pk, at, direction, account, device, source, voided, dup in cursor:
            by_person[person_id].append(
                (
                    pk,
                    as_utc(at),
                    direction,
                    account,
                    kinds.get(account),
                    device,
                    source,
                    voided,
                    dup,
                )
            )
    return by_person


def _datetime_reader():
    """SQLite gives naive UTC (a datetime from Django's converter, or text); PostgreSQL aware."""
    if connection.vendor != "sqlite":
        return lambda value: value
    parse = datetime.fromisoformat

    def as_utc(value):
        if isinstance(value, str):
            value = parse(value)
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    return as_utc


def _compute_person(person_id, days, rows, context: PeopleContext, now):
    pattern = context.pattern(person_id)
    shift = as_shift(pattern) if pattern else None
    rules = rules_with(base_rules(context.time_zone(person_id)), pattern)
    live = [
        RawPunch(
            pk,
            at,
            direction,
            str(account_id) if account_id else "manual",
            device_id,
            source == Punch.Source.MANUAL,
            kind or "",
        )
        for pk, at, direction, account_id, kind, device_id, source, voided_at, _ in rows
        if voided_at is None
    ]
    cards = build_days(live, shift, rules, days, holidays=context.holidays_of(person_id), now=now)
    by_week: dict[date, list[DayCard]] = defaultdict(list)
    for card in cards.values():
        by_week[card.work_date - timedelta(days=card.work_date.weekday())].append(card)
    for week in by_week.values():
        apply_weekly_overtime(week, rules.weekly_overtime_after)
    corrected = _corrected_days(rows, shift, rules)
    repeats: dict[int, int | None] = {}
    for card in cards.values():
        if card.work_date in corrected:
            card.exceptions.append("corrected")
        if not context.is_locked(person_id, card.work_date):
            repeats.update(dict.fromkeys(card.counted))
            repeats.update(card.duplicates)
    return cards, repeats


def _corrected_days(rows, shift, rules) -> set[date]:
    zone = ZoneInfo(rules.time_zone)
    return {
        work_date(at, shift, rules, zone)
        for _, at, _, _, _, _, source, voided_at, _ in rows
        if source == Punch.Source.MANUAL or voided_at is not None
    }


def _card_row(person_id, card: DayCard, old: TimeCard | None, context, now):
    """A card to write (a tuple in store.COLUMNS order), the id of an approved card whose
    figures a late punch would change, or None when nothing changes."""
    values = {
        "first_in": card.first_in,
        "last_out": card.last_out,
        "worked_minutes": card.worked_minutes,
        "break_minutes": card.break_minutes,
        "overtime_minutes": card.overtime_minutes,
        "weekly_overtime_minutes": card.weekly_overtime_minutes,
        "late_minutes": card.late_minutes,
        "early_minutes": card.early_minutes,
        "flags": card.exceptions,
        "pairs": [[_iso(s), _iso(e)] for s, e in card.pairs],
    }
    locked = context.is_locked(person_id, card.work_date)
    if old is None and not card.counted and not card.exceptions:
        return None  # nothing happened on a day nobody expected work: no card
    if old is not None and locked:
        if all(getattr(old, k) == v for k, v in values.items()) or old.arrived_after_approval:
            return None
        return old.pk  # the approved figures stand until reopened
    status = TimeCard.Status.APPROVED if locked else TimeCard.Status.OPEN
    if (
        old is not None
        and old.status == status
        and not old.arrived_after_approval
        and all(getattr(old, k) == v for k, v in values.items())
    ):
        return None
    return (person_id, card.work_date, *values.values(), status, False, now)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _store_repeats(repeats: dict[int, int | None], punches) -> None:
    current = {row[0]: row[-1] for rows in punches.values() for row in rows}
    changed = [
        Punch(pk=pk, duplicate_of_id=kept)
        for pk, kept in repeats.items()
        if current.get(pk, kept) != kept
    ]
    if changed:
        Punch.objects.bulk_update(changed, ["duplicate_of"], batch_size=2000)
