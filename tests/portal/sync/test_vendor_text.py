"""Vendor text that does not fit a column, or holds a NUL byte, is stored trimmed and reported.

PostgreSQL refuses both (SQLite stores them): without the trimming the page's transaction rolls
back and the stream is stuck on that record at every later pull. The same tests run on SQLite
(`make test`) and on PostgreSQL (`make test-postgres`).
"""

from datetime import UTC, datetime

import pytest

from connectors.biostar.simulator.state import User
from connectors.records import PunchRecord
from portal.attendance.models import Punch
from portal.sync.mirror.attendance import PunchWriter
from portal.sync.mirror.bulk import encode_json
from portal.sync.models import SyncCursor, SyncRun, UnmatchedPerson
from portal.sync.pull import pull_stream
from portal.sync.vendor_text import bounded, json_without_nul, stored_raw, stored_raw_and_text

LONG_LAST_NAME = "Lindqvist-" * 30  # 300 characters; the column holds 100


def test_a_300_character_name_with_a_nul_byte_is_pulled_cut_clean_and_reported(biostar, db):
    with biostar.simulator.lock:
        biostar.simulator.store_user(User(user_id="990001", name=f"Ma\x00ja {LONG_LAST_NAME}"))

    run = pull_stream(biostar.account.pk, "people", transport=biostar.transport)

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    waiting = UnmatchedPerson.objects.get(account=biostar.account, vendor_id="990001")
    assert waiting.first_name == "Maja"  # NUL dropped from the column
    assert waiting.last_name == LONG_LAST_NAME[:100]  # cut to the column
    assert waiting.raw["name"] == f"Ma\ufffdja {LONG_LAST_NAME}"  # raw keeps it all, NUL marked
    assert run.trimmed == 1
    assert run.trimmed_notes == [
        "990001: first_name: NUL removed; raw: NUL replaced with U+FFFD; "
        "last_name: 300 characters cut to 100"
    ]

    # the stream is not stuck: the cursor moved on and the next pull goes on from it
    assert SyncCursor.objects.get(account=biostar.account, stream="people").value
    again = pull_stream(biostar.account.pk, "people", transport=biostar.transport)
    assert again.status == SyncRun.Status.SUCCEEDED, again.error


def test_punches_keep_their_raw_record_without_nul_and_fit_their_columns(biostar, db):
    run = SyncRun.objects.create(account=biostar.account, stream="punches")
    writer = PunchWriter(biostar.account, run)
    long_id = "P" * 300
    punch = PunchRecord(
        vendor_id="p-1\x00",
        occurred_at=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        person_code="",
        person_id=long_id,
        raw={"note\x00": ["in\x00", {"by": "terminal\x00 7"}], "id": long_id},
    )

    writer.write_page([punch])
    writer.write_page([punch])  # the overlap window sends it again: found, not stored twice

    stored = Punch.objects.get()
    assert stored.vendor_id == "p-1"
    assert stored.vendor_person_id == "P" * 64
    assert stored.raw == {"note\ufffd": ["in\ufffd", {"by": "terminal\ufffd 7"}], "id": long_id}
    assert (run.created, run.unchanged, run.trimmed) == (1, 1, 1)
    assert run.trimmed_notes == [  # the record's fields, then its row's columns; once per run
        "p-1: vendor_id: NUL removed; raw: NUL replaced with U+FFFD",
        "p-1: vendor_person_id: 300 characters cut to 64",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a\x00b", "a\ufffdb"),
        (
            {"k\x00": ["x\x00", 1, None, {"deep": "\x00"}]},
            {"k\ufffd": ["x\ufffd", 1, None, {"deep": "\ufffd"}]},
        ),
        (12, 12),
    ],
)
def test_json_loses_nul_at_any_depth(value, expected):
    assert json_without_nul(value) == expected


def test_a_row_that_fits_is_left_alone():
    row = {"vendor_id": "ok", "vendor_person_id": "42", "raw": {"a": "b"}}
    assert bounded(Punch, row) == (row, [])


def test_backslashes_tabs_and_line_breaks_are_stored_as_the_vendor_sent_them(biostar, db):
    """On PostgreSQL the rows travel as COPY text, where these characters are escapes."""
    run = SyncRun.objects.create(account=biostar.account, stream="punches")
    writer = PunchWriter(biostar.account, run)
    odd = "a\\b\tc\nd\re \\N \\\\N"
    punch = PunchRecord(
        vendor_id=f"p-2 {odd}",
        occurred_at=datetime(2026, 11, 18, 8, 0, 30, 250000, tzinfo=UTC),
        person_code="",
        person_id=odd,
        raw={odd: [odd, {"path": "C:\\clock\\log", "quote": '"x"'}], "unicode": "Zoë ☕"},
    )

    writer.write_page([punch])
    writer.write_page([punch])

    stored = Punch.objects.get()
    assert stored.vendor_id == f"p-2 {odd}"
    assert stored.vendor_person_id == odd
    assert stored.punched_at == datetime(2026, 11, 18, 8, 0, 30, 250000, tzinfo=UTC)
    assert stored.raw == dict(punch.raw)
    assert stored.door_id is None and stored.device_id is None
    assert (run.created, run.unchanged) == (1, 1)


def test_trimmed_notes_of_punches_prepared_ahead_are_counted_once_when_their_batch_is_stored(
    db, clock
):
    """A punch stream's pages are made storable in the read-ahead thread and stored a batch
    later: what NUL and cutting changed still reaches the run, once per record, in order."""
    from connectors.biotime.simulator import BioTimeSimulator
    from tests.portal.sync.conftest import wire

    simulator = BioTimeSimulator.large(employees=3, transactions=0, clock=clock)
    biotime = wire("biotime", simulator, options={"page_size": 2})
    terminal = next(iter(simulator.directory.terminals))
    odd_code = "E\x00" + "7" * 100
    for _ in range(3):  # three punches of one odd badge, on pages of two: found on two pages
        simulator.add_punch(odd_code, terminal_id=terminal, upload_delay=0)

    run = pull_stream(
        biotime.account.pk, "punches", transport=biotime.transport, full=True, batch_rows=10**6
    )

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    odd = Punch.objects.filter(vendor_person_id__startswith="E")
    assert odd.count() == 3
    assert {p.vendor_person_id for p in odd} == {"E" + "7" * 63}
    assert {p.raw["emp_code"] for p in odd} == {"E\ufffd" + "7" * 100}
    assert run.trimmed == 3
    assert run.trimmed_notes == [
        note
        for p in sorted(odd, key=lambda p: int(p.vendor_id))
        for note in (
            f"{p.vendor_id}: person_code: NUL removed; raw: NUL replaced with U+FFFD",
            f"{p.vendor_id}: vendor_person_id: 101 characters cut to 64",
        )
    ]


def test_one_odd_punch_of_a_page_is_fitted_and_reported_and_the_others_are_left_whole(biostar, db):
    """A page is looked at as a whole first (most hold nothing to fit): one NUL or over-long
    value still sends every record of its page through the look of its own."""
    run = SyncRun.objects.create(account=biostar.account, stream="punches")
    writer = PunchWriter(biostar.account, run)
    at = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    page = [
        PunchRecord(vendor_id="p-1", occurred_at=at, person_code="7", raw={"id": 1}),
        PunchRecord(vendor_id="p-2", occurred_at=at, person_code="E\x007", raw={"id": 2}),
        PunchRecord(vendor_id="p-3", occurred_at=at, person_code="", person_id="P" * 70),
        PunchRecord(vendor_id="p-4", occurred_at=at, person_code="8", raw={"id": "\x00"}),
    ]

    writer.write_page(page)

    stored = {p.vendor_id: (p.vendor_person_id, p.raw) for p in Punch.objects.all()}
    assert stored == {
        "p-1": ("7", {"id": 1}),
        "p-2": ("E7", {"id": 2}),
        "p-3": ("P" * 64, {}),
        "p-4": ("8", {"id": "\ufffd"}),
    }
    assert (run.created, run.trimmed) == (4, 3)
    assert run.trimmed_notes == [
        "p-2: person_code: NUL removed",
        "p-3: vendor_person_id: 70 characters cut to 64",
        "p-4: raw: NUL replaced with U+FFFD",
    ]


def test_a_page_column_finds_a_nul_among_text_none_and_other_values():
    from datetime import UTC, datetime

    from portal.sync.vendor_text import texts_hold_nul

    at = datetime(2026, 11, 18, tzinfo=UTC)
    assert texts_hold_nul(["a", None, "b\x00"]) and texts_hold_nul([at, "\x00", 7])
    assert not texts_hold_nul([at, at]) and not texts_hold_nul([None, 1])
    assert not texts_hold_nul(["a", None]) and not texts_hold_nul([])


def test_a_page_fits_unless_one_text_is_longer_than_its_column():
    from portal.doors.models import DoorEvent
    from portal.sync.mirror.doors import page_texts_fit

    def page(*descriptions):
        return [
            {"description": d, "method": "Face", "vendor_key": str(n)}
            for n, d in enumerate(descriptions)
        ]

    assert page_texts_fit(DoorEvent, page("a" * 200, "", "b"))
    assert page_texts_fit(DoorEvent, page(None, "a" * 200, None))
    assert not page_texts_fit(DoorEvent, page("a", "a" * 201))
    assert not page_texts_fit(DoorEvent, page(None, "a" * 201, None))
    assert page_texts_fit(DoorEvent, [])


@pytest.mark.parametrize(
    "raw",
    [
        {"id": 1, "self_password": "pbkdf2$x", "department": {"id": 2, "name": "Ops"}},
        {"id": 1, "extra": {"api_Token": "t", "keep": [1, {"PIN_CODE": 4, "x": "y"}]}},
        {"id": 1, "TO\u212aEN": "a Kelvin sign folds to k", "name": "Müller"},
        {"id": 1, "note": "the password is in a value, not a key"},
        {"id": 1, "name": "Ann\x00e", "self_password": "x\x00"},
        {"id": 2**70},
        {"id": 1, "since": datetime(2026, 1, 2, 3, 4, tzinfo=UTC)},
        {},
    ],
)
def test_the_raw_and_its_text_worked_out_together_are_what_stored_raw_and_encode_json_give(raw):
    kept, text = stored_raw_and_text(raw)

    assert kept == stored_raw(raw)
    assert "\x00" not in str(kept)
    if text is not None:
        assert text == encode_json(stored_raw(raw))


def test_a_plain_vendor_record_comes_with_its_text_and_without_its_secrets():
    raw = {"id": 7, "device_password": "1234", "area": [{"id": 2, "area_name": "HQ"}]}

    kept, text = stored_raw_and_text(raw)

    assert kept == {"id": 7, "area": [{"id": 2, "area_name": "HQ"}]}
    assert text == '{"id":7,"area":[{"id":2,"area_name":"HQ"}]}'
