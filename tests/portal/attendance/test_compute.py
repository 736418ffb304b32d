"""Stored cards: repeats across accounts, only touched person-weeks, the command."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from portal.attendance.compute import recompute
from portal.attendance.models import Punch, TimeCard
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db
TUE = date(2026, 3, 3)
WED = date(2026, 3, 4)


def at(hh, mm=0, ss=0, day=TUE):
    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


def test_the_same_punch_from_two_accounts_is_counted_once_and_the_repeat_points_at_it():
    person = PersonFactory()
    biotime, zeitstrom = (
        VendorAccountFactory(kind="biotime"),
        VendorAccountFactory(kind="zeitstrom"),
    )
    first = Punch.objects.create(
        account=biotime, vendor_id="1", person=person, punched_at=at(8), direction="in"
    )
    repeat = Punch.objects.create(
        account=zeitstrom, vendor_id="z1", person=person, punched_at=at(8, 0, 2), direction="in"
    )
    Punch.objects.create(
        account=biotime, vendor_id="2", person=person, punched_at=at(16), direction="out"
    )
    recompute([(person.pk, TUE)])
    repeat.refresh_from_db()
    assert repeat.duplicate_of_id == first.pk
    card = TimeCard.objects.get(person=person, work_date=TUE)
    assert card.worked_minutes == 480 and card.flags == []


def test_a_punch_recomputes_only_its_persons_week():
    person, other = PersonFactory(), PersonFactory()
    account = VendorAccountFactory()
    for who in (person, other):
        Punch.objects.create(
            account=account, vendor_id=f"{who.pk}", person=who, punched_at=at(8), direction="in"
        )
    recompute([(person.pk, TUE), (other.pk, TUE)])
    untouched = TimeCard.objects.get(person=other).updated_at
    Punch.objects.create(
        account=account, vendor_id="late", person=person, punched_at=at(16), direction="out"
    )
    recompute([(person.pk, TUE)])
    assert TimeCard.objects.get(person=other).updated_at == untouched
    assert TimeCard.objects.get(person=person).worked_minutes == 480


def test_the_command_recomputes_a_range(capsys):
    person = PersonFactory(employee_code="C-1")
    Punch.objects.create(
        account=VendorAccountFactory(),
        vendor_id="1",
        person=person,
        punched_at=at(8),
        direction="in",
    )
    call_command("recompute_timecards", "2026-03-02", "2026-03-08", "--person", "C-1")
    assert "1 cards written for 1 people" in capsys.readouterr().out
    assert TimeCard.objects.get(person=person).flags == ["missing_out"]


def _cards():
    fields = ("person_id", "work_date", "first_in", "last_out", "worked_minutes", "flags", "pairs")
    return list(TimeCard.objects.order_by("person_id", "work_date").values_list(*fields))


def test_chunks_computed_while_the_last_is_stored_give_the_cards_one_chunk_gives(monkeypatch):
    """Each chunk is computed while the one before it is stored (on PostgreSQL the upsert runs
    in pipeline mode meanwhile; COPY_FROM lowered so these few rows take that path)."""
    from portal.attendance import compute, store

    account = VendorAccountFactory()
    people = [PersonFactory() for _ in range(5)]
    for n, who in enumerate(people):
        for hh, direction in ((8, "in"), (12, "out"), (13, "in"), (16 + n, "out")):
            Punch.objects.create(
                account=account,
                vendor_id=f"{who.pk}-{hh}",
                person=who,
                punched_at=at(hh),
                direction=direction,
            )
        Punch.objects.create(  # a double tap: the repeat is marked in its chunk
            account=account, vendor_id=f"{who.pk}-tap", person=who, punched_at=at(8, 0, 20)
        )
    days = [(who.pk, TUE) for who in people]
    recompute(days)
    whole = _cards()
    repeats = set(Punch.objects.exclude(duplicate_of=None).values_list("pk", "duplicate_of"))
    TimeCard.objects.all().delete()
    Punch.objects.update(duplicate_of=None)

    monkeypatch.setattr(compute, "CHUNK", 2)  # three chunks: 2, 2, 1 people
    monkeypatch.setattr(store, "COPY_FROM", 1)
    assert recompute(days) == len(whole) == 5
    assert _cards() == whole
    assert (
        set(Punch.objects.exclude(duplicate_of=None).values_list("pk", "duplicate_of")) == (repeats)
        and len(repeats) == 5
    )


@pytest.mark.postgres
def test_an_upsert_failing_in_the_pipeline_raises_after_the_work_done_meanwhile(monkeypatch):
    from django.db import DatabaseError

    from portal.attendance import store

    person = PersonFactory()
    monkeypatch.setattr(store, "COPY_FROM", 1)
    row = (person.pk, TUE, None, None, 0, 0, 0, 0, 0, 0, [], [], "open", False, at(9))
    ran = []
    with pytest.raises(DatabaseError):  # one (person, day) twice in one INSERT ... SELECT
        store.upsert_cards([row, row], meanwhile=lambda: ran.append("computed"))
    assert ran == ["computed"] and not TimeCard.objects.exists()


@pytest.mark.postgres
def test_cards_copied_as_text_read_back_as_cards_sent_as_statements(monkeypatch):
    """The COPY path writes its own text: backslashes, quotes, tabs and accents in the JSON, an
    instant in a zone other than UTC and an empty time come back as the statement path stores
    them."""
    from portal.attendance import store

    person = PersonFactory()
    berlin = datetime.combine(TUE, time(16, 30), tzinfo=ZoneInfo("Europe/Berlin"))
    odd = ["late", 'a\\b"c', "tab\there", "née\nline"]
    pairs = [[at(8).isoformat(), None], ['a"\\', "x\ty"]]

    def row(day):
        return (person.pk, day, at(8, day=day), berlin, 1, 2, 3, 4, 5, 6, odd, pairs)

    rows = [
        (*row(TUE), "open", False, at(9)),
        (person.pk, WED, None, None, 0, 0, 0, 0, 0, 0, [], [], "approved", True, at(9)),
    ]
    fields = [c for c in store.COLUMNS if c != "person_id"]

    def stored():
        return list(TimeCard.objects.order_by("work_date").values_list(*fields))

    monkeypatch.setattr(store, "COPY_FROM", 1)
    store.upsert_cards(rows)
    copied = stored()
    TimeCard.objects.all().delete()
    monkeypatch.setattr(store, "COPY_FROM", 10)
    store.upsert_cards(rows)
    assert stored() == copied
    assert copied[0][2] == berlin and copied[0][9] == odd and copied[0][10] == pairs


def test_a_year_of_punches_is_read_a_few_weeks_a_statement():
    """A long range names its days in short lists (PostgreSQL: a year's days in one list had
    the planner read the whole unanalyzed table once per person); every punch comes back once,
    however the range is cut (in any order: the rules sort, and PostgreSQL's join with the
    accounts may hand the rows over in another order than the index's)."""
    from datetime import timedelta

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal.attendance.compute import DAYS_A_READ, _load_punches

    person, account = PersonFactory(), VendorAccountFactory()
    first = date(2026, 1, 5)
    instants = [at(8, day=first + timedelta(days=n)) for n in range(0, 365, 3)]
    Punch.objects.bulk_create(
        Punch(account=account, vendor_id=str(n), person=person, punched_at=moment)
        for n, moment in enumerate(reversed(instants))
    )

    with CaptureQueriesContext(connection) as queries:
        loaded = _load_punches([person.pk], first, first + timedelta(days=364))

    assert sorted(punch.at for punch in loaded[person.pk].live) == instants
    reads = [q["sql"] for q in queries if "attendance_punch" in q["sql"]]
    if connection.vendor == "postgresql":
        # 367 days: the range, the day before it and the two after; DAYS_A_READ a statement
        assert len(reads) == -(-367 // DAYS_A_READ), len(reads)
