"""Recomputing stored timecards for the person-days a punch write touched, never the whole table.

A person-day is recomputed with the rest of its week (weekly overtime depends on the days
before it). A day inside an approved period keeps its approved figures: if the new ones differ,
the card is marked ``arrived_after_approval`` and the figures change only once it is reopened.

A full build (a million punches) goes through the same path, so the per-punch work is kept
small: punches are read as plain tuples in one query per chunk of people, ordered by person and
time, and each person's shift, zone and rules are looked up once. The next chunk is read before
this one's cards are stored and computed while the database stores them (on PostgreSQL the
upsert runs on the server meanwhile: see ``store.upsert_cards``).
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone as django_tz

from portal.attendance.context import PeopleContext, among, as_shift, base_rules, rules_with
from portal.attendance.days import utc_days
from portal.attendance.models import Punch, TimeCard
from portal.attendance.rules import (
    DayCard,
    RawPunch,
    Rules,
    Shift,
    apply_weekly_overtime,
    build_days,
)
from portal.attendance.rules.workday import WorkDays
from portal.attendance.store import upsert_cards
from portal.core.pg_arrays import array_literal

CHUNK = 200  # people per round of queries
DAYS_A_READ = 16  # days per statement reading punches on PostgreSQL (see _load_punches)
FETCH = 10_000  # punch rows per fetch from the cursor
VALUE_FIELDS = (
    "first_in",
    "last_out",
    "worked_minutes",
    "break_minutes",
    "overtime_minutes",
    "weekly_overtime_minutes",
    "late_minutes",
    "early_minutes",
    "flags",
    "pairs",
)
WEEK = tuple(timedelta(days=i) for i in range(7))
#: "2026-01-05T07:05:00+00:00" and with ".123456": isoformat()'s; PostgreSQL's text drops a
#: fraction's trailing zeros (".5"): such a time is formatted again
ISO_LENGTHS = frozenset({25, 32})


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
    mondays: dict[int, set[date]] = defaultdict(set)
    for person_id, day in person_days:
        mondays[person_id].add(day - WEEK[day.weekday()])
    now = now or django_tz.now()
    people = sorted(mondays)
    chunks = [
        {
            p: sorted(monday + d for monday in mondays[p] for d in WEEK)
            for p in people[i : i + CHUNK]
        }
        for i in range(0, len(people), CHUNK)
    ]
    written = 0
    computed = None
    with no_cycle_collection():
        for index, chunk in enumerate(chunks):
            # no savepoint inside a caller's transaction (the dirty-day task's batch): nothing
            # catches an error between the two, and a savepoint is two more round trips a chunk
            with transaction.atomic(savepoint=False):
                if computed is None:
                    computed = _compute_chunk(_load_chunk(chunk), now)
                # the next chunk is read now and computed while the database stores this one's
                # cards (PostgreSQL runs the upsert as Python computes; elsewhere one after the
                # other)
                ahead = _load_chunk(chunks[index + 1]) if index + 1 < len(chunks) else None
                done, computed = _write_chunk(
                    computed, partial(_compute_chunk, ahead, now) if ahead else None
                )
                written += done
    return written


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cycle collector paused while cards are built: a full build allocates millions of
    small objects (punches, pairs, rows) that hold no cycles and are freed by reference count,
    yet every allocation counts toward a collection that walks all of them (a quarter of the
    build's CPU). Whatever a cycle leaves is collected once it resumes."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Loaded(NamedTuple):
    days_of: dict[int, list[date]]
    context: PeopleContext
    punches: dict[int, _PersonPunches]
    stored: dict[tuple, tuple]


class _Computed(NamedTuple):
    now: datetime
    cards: list[tuple]  # rows in store.COLUMNS order
    late_arrivals: list[int]  # approved cards a late punch would change
    repeat_changes: list[Punch]


def _load_chunk(days_of: dict[int, list[date]]) -> _Loaded:
    first = min(days[0] for days in days_of.values())
    last = max(days[-1] for days in days_of.values())
    people = list(days_of)
    return _Loaded(
        days_of,
        PeopleContext(days_of, first, last),
        _load_punches(people, first, last),
        _stored_cards(people, first, last),
    )


def _compute_chunk(loaded: _Loaded, now: datetime) -> _Computed:
    """Pure Python on what was loaded: no query (it may run while the database is busy)."""
    context, stored = loaded.context, loaded.stored
    result = _Computed(now, [], [], [])
    setups: dict[tuple, _Setup] = {}
    for person_id, days in loaded.days_of.items():
        punches = loaded.punches.get(person_id) or _PersonPunches()
        locked = context.locked.get(person_id)
        pattern, zone = context.pattern(person_id), context.time_zone(person_id)
        key = (pattern.pk if pattern else None, zone)
        setup = setups.get(key) or setups.setdefault(key, _Setup.of(pattern, zone))
        computed = _compute_person(person_id, days, punches, context, setup, now)
        for day, card in computed.items():
            is_locked = locked is not None and context.is_locked(person_id, day)
            row = _card_row(
                person_id, card, stored.get((person_id, day)), is_locked, now, punches.iso
            )
            if isinstance(row, tuple):
                result.cards.append(row)
            elif row is not None:
                result.late_arrivals.append(row)
        result.repeat_changes.extend(_repeat_changes(computed, punches, context, person_id))
    return result


def _write_chunk(computed: _Computed, meanwhile=None) -> tuple[int, object]:
    """Store what was computed; returns how many cards were written and what ``meanwhile``
    (run while the cards are being stored) returned."""
    if computed.repeat_changes:
        Punch.objects.bulk_update(computed.repeat_changes, ["duplicate_of"], batch_size=2000)
    if computed.late_arrivals:
        TimeCard.objects.filter(pk__in=computed.late_arrivals).update(
            arrived_after_approval=True, updated_at=computed.now
        )
    following = upsert_cards(computed.cards, meanwhile=meanwhile)
    return len(computed.cards) + len(computed.late_arrivals), following


class _PersonPunches:
    """One person's punches as the rules see them, and what the rest of compute needs."""

    __slots__ = ("corrected", "duplicate_of", "iso", "live")

    def __init__(self):
        self.live: list[RawPunch] = []  # not voided, in time order
        self.corrected: list[datetime] = []  # manual or voided: their day says "corrected"
        self.duplicate_of: dict[int, int] = {}  # as stored now (repeats only)
        #: instant -> its ``isoformat()`` as the database gave it (a card's pairs are stored as
        #: text: formatting a million instants again was a tenth of a full build)
        self.iso: dict[datetime, str] = {}


def _load_punches(person_ids: list[int], first: date, last: date) -> dict[int, _PersonPunches]:
    """Every punch of these people near [first, last], in one query read as tuples.

    No model instances and no Django converters (they parse each datetime in Python): the time
    comes as ISO text (``isoformat()``'s, "T" and all) and is parsed by ``datetime.fromisoformat``;
    the text is kept for the cards' pairs when it is what ``isoformat()`` would print."""
    since = datetime.combine(first, time(), tzinfo=UTC) - timedelta(days=1)
    until = datetime.combine(last, time(), tzinfo=UTC) + timedelta(days=2)
    accounts = Punch._meta.get_field("account").related_model._meta.db_table
    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    # as UTC text (Django keeps naive UTC text on SQLite; its PostgreSQL loader is pure Python)
    at = "p.punched_at" if sqlite else "(p.punched_at AT TIME ZONE 'UTC')::text"
    at = f"replace({at}, ' ', 'T')"
    columns = (
        f"p.person_id, p.id, {at} || '+00:00', p.direction, p.account_id, a.kind, p.device_id,"
        " p.source, p.voided_at IS NOT NULL, p.duplicate_of_id"
    )
    punches = quote(Punch._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    # the (day, person, punched_at) index is read by a list of days: one seek per day and person
    days = utc_days(since, until)
    if sqlite:
        sql = (
            f"SELECT {columns} FROM {punches} p LEFT JOIN {quote(accounts)} a"
            " ON a.id = p.account_id"
            f" WHERE p.day IN ({', '.join(['%s'] * len(days))})"
            f" AND p.person_id IN ({', '.join(['%s'] * len(person_ids))})"
            " AND p.punched_at >= %s AND p.punched_at < %s"
            # the index's order (no sort): a person's punches come in time order, people
            # interleaved day by day; the rules sort ties
            " ORDER BY p.day, p.person_id, p.punched_at"
        )
        reads = [(sql, [*map(str, days), *person_ids, adapt(since), adapt(until)])]
    else:
        # One index scan of (day, person, punched_at) per person. Written as "person IN (...) AND
        # punched_at in range", the planner misjudges the punches a pull has just stored (newer
        # than its last ANALYZE: a handful, it thinks), walks the whole range by punched_at and
        # filters out every other person's punches (70 ms for 200 people instead of 8). The
        # subquery's ORDER BY keeps it a subquery run per person (one without is merged into a
        # join, and misjudged the same way). No ORDER BY outside: the rows come person by
        # person in time order as it is, and sorting a full build's chunk again (200,000 rows)
        # spilled to disk; the loop below takes them in any order (the rules sort).
        #
        # The days go DAYS_A_READ at a time, a statement each (a full build's year is ~25): with
        # a year's days in one list, a table never analyzed (a million punches just loaded) has
        # the planner guess that the list matches every row, and it read the whole table once
        # per person (a minute for a chunk); a short list keeps the guess small, an index scan.
        sql = (
            f"SELECT {columns} FROM unnest(%s::bigint[]) AS w (person_id)"
            f" CROSS JOIN LATERAL (SELECT * FROM {punches} q WHERE q.day = ANY(%s::date[])"
            " AND q.person_id = w.person_id AND q.punched_at >= %s AND q.punched_at < %s"
            " ORDER BY q.day, q.punched_at) p"  # the index's order for one person
            f" LEFT JOIN {quote(accounts)} a ON a.id = p.account_id"
        )
        people = array_literal(person_ids)
        reads = [
            (sql, [people, array_literal(days[i : i + DAYS_A_READ]), adapt(since), adapt(until)])
            for i in range(0, len(days), DAYS_A_READ)
        ]
    parse = datetime.fromisoformat
    new = tuple.__new__  # RawPunch(...) is a Python call per punch; every field is given here
    manual = Punch.Source.MANUAL
    sources: dict[int | None, str] = {None: "manual"}  # a source per account, or "manual"
    by_person: dict[int, _PersonPunches] = {}
    person, current = None, None
    with connection.cursor() as cursor:
        for rows in _fetched(cursor, reads):
            for (
                person_id,
                pk,
                moment,
                direction,
                account,
                kind,
                device,
                source,
                voided,
                dup,
            ) in rows:
                if person_id != person:
                    person, current = person_id, by_person.setdefault(person_id, _PersonPunches())
                text, moment = moment, parse(moment)
                if len(text) in ISO_LENGTHS:
                    current.iso[moment] = text
                if dup is not None:
                    current.duplicate_of[pk] = dup
                is_manual = source == manual
                if is_manual or voided:
                    current.corrected.append(moment)
                if voided:
                    continue
                where = sources.get(account)
                if where is None:
                    where = sources[account] = str(account)
                current.live.append(
                    new(RawPunch, (pk, moment, direction, where, device, is_manual, kind or ""))
                )
    return by_person


def _fetched(cursor, reads) -> Iterator[list[tuple]]:
    """The rows of these (sql, params) in turn, FETCH at a time (in no promised order: the
    rules sort a person's punches)."""
    for sql, params in reads:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH):
            yield rows


def _stored_cards(person_ids: list[int], first: date, last: date) -> dict[tuple, tuple]:
    """(person, day) -> (pk, status, arrived_after_approval, (figures in VALUE_FIELDS order))."""
    rows = TimeCard.objects.filter(
        person_id__in=among(person_ids), work_date__range=(first, last)
    ).values_list("person_id", "work_date", "pk", "status", "arrived_after_approval", *VALUE_FIELDS)
    return {(row[0], row[1]): (row[2], row[3], row[4], row[5:]) for row in rows.order_by()}


class _Setup(NamedTuple):
    """What the rules need of a shift pattern in a zone: the same for everyone on that shift
    there (made once a chunk, not once a person)."""

    shift: Shift | None
    rules: Rules
    work_days: WorkDays

    @classmethod
    def of(cls, pattern, zone: str) -> _Setup:
        shift = as_shift(pattern) if pattern else None
        rules = rules_with(base_rules(zone), pattern)
        return cls(shift, rules, WorkDays(shift, rules, ZoneInfo(rules.time_zone)))


def _compute_person(person_id, days, punches: _PersonPunches, context, setup: _Setup, now):
    shift, rules = setup.shift, setup.rules
    cards = build_days(
        punches.live,
        shift,
        rules,
        days,
        holidays=context.holidays_of(person_id),
        now=now,
        work_days=setup.work_days,
    )
    by_week: dict[date, list[DayCard]] = defaultdict(list)
    for day, card in cards.items():
        by_week[day - WEEK[day.weekday()]].append(card)
    for week in by_week.values():
        apply_weekly_overtime(week, rules.weekly_overtime_after)
    if punches.corrected:
        work_day = setup.work_days
        for day in {work_day(at) for at in punches.corrected}:
            if day in cards:
                cards[day].exceptions.append("corrected")
    return cards


def _repeat_changes(cards, punches: _PersonPunches, context, person_id) -> list[Punch]:
    """Punches whose stored ``duplicate_of`` the new cards change (days not locked only)."""
    if not punches.duplicate_of and not any(card.duplicates for card in cards.values()):
        return []  # nothing is a repeat, nothing was: the usual person
    stored = punches.duplicate_of
    changed = []
    for day, card in cards.items():
        if context.is_locked(person_id, day):
            continue
        changed += [Punch(pk=pk) for pk in card.counted if stored.get(pk) is not None]
        changed += [
            Punch(pk=pk, duplicate_of_id=kept)
            for pk, kept in card.duplicates.items()
            if stored.get(pk) != kept
        ]
    return changed


def _card_row(person_id, card: DayCard, old: tuple | None, locked: bool, now, iso=None):
    """A card to write (a tuple in store.COLUMNS order), the id of an approved card whose
    figures a late punch would change, or None when nothing changes."""
    if old is None and not card.counted and not card.exceptions:
        return None  # nothing happened on a day nobody expected work: no card
    values = (
        card.first_in,
        card.last_out,
        card.worked_minutes,
        card.break_minutes,
        card.overtime_minutes,
        card.weekly_overtime_minutes,
        card.late_minutes,
        card.early_minutes,
        card.exceptions,
        _pair_texts(card.pairs, iso or {}),
    )
    status = TimeCard.Status.APPROVED if locked else TimeCard.Status.OPEN
    if old is not None:
        pk, old_status, arrived, old_values = old
        if locked:
            if arrived or old_values == values:
                return None
            return pk  # the approved figures stand until reopened
        if old_status == status and not arrived and old_values == values:
            return None
    return (person_id, card.work_date, *values, status, False, now)


def _pair_texts(pairs, iso: dict[datetime, str]) -> list[list[str | None]]:
    """The pairs as stored: ``isoformat()`` text, taken from ``iso`` for a punch's own (UTC)
    instant. An auto-close end is the shift's local time: equal to a UTC instant, not its text."""
    texts = []
    for start, end in pairs:
        if start is not None:
            start = (start.tzinfo is UTC and iso.get(start)) or start.isoformat()
        if end is not None:
            end = (end.tzinfo is UTC and iso.get(end)) or end.isoformat()
        texts.append([start, end])
    return texts
