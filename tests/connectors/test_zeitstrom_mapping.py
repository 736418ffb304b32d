"""Zeitstrom mapping: never crashes on type variations, and vendor → canonical → vendor keeps
every mapped field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.records import PersonRecord, SkippedRecord, TimeCardRecord
from connectors.zeitstrom import mapping

ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        ["", "null", "2030-03-13T09:30:00Z", "2030-03-13T10:30:00+01:00", "32400", "not a date"]
    ),
)
ANY_VALUE = st.one_of(
    ANY_SCALAR,
    st.lists(ANY_SCALAR, max_size=2),
    st.dictionaries(st.text(max_size=5), ANY_SCALAR, max_size=2),
)
EMPLOYEE_KEYS = [
    "id",
    "created_at",
    "modified_at",
    "first_name",
    "last_name",
    "email",
    "external_id",
    "accounting_number",
    "archived_at",
]
TIMESPAN_KEYS = [
    "id",
    "created_at",
    "modified_at",
    "employee_id",
    "checkin_time",
    "checkout_time",
    "duration",
    "source",
]
NO_SPACES = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
CLEAN_TEXT = st.text(NO_SPACES, max_size=20)  # the mapper trims, so the round trip starts trimmed
OFFSETS = st.sampled_from(
    [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
)
INSTANTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


def rendered(moment: datetime, offset) -> str:
    """The way DRF renders: the server's offset, ``Z`` for UTC."""
    text = moment.astimezone(offset).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(EMPLOYEE_KEYS), ANY_VALUE))
def test_employee_mapper_never_raises(raw):
    result = mapping.person_from_employee(raw)

    assert isinstance(result, PersonRecord | SkippedRecord)
    if isinstance(result, PersonRecord):
        assert result.vendor_id and isinstance(result.code, str)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(TIMESPAN_KEYS), ANY_VALUE))
def test_timespan_mapper_never_raises(raw):
    result = mapping.time_card_from_timespan(raw)

    assert isinstance(result, TimeCardRecord | SkippedRecord)
    if isinstance(result, TimeCardRecord):
        assert result.clock_in.tzinfo is UTC


@given(ANY_VALUE)
def test_mappers_skip_values_that_are_not_objects(value):
    if isinstance(value, dict):
        return
    assert isinstance(mapping.person_from_employee(value), SkippedRecord)
    assert isinstance(mapping.time_card_from_timespan(value), SkippedRecord)


@settings(max_examples=200, deadline=None)
@given(
    uuid=st.uuids(),
    first=CLEAN_TEXT,
    last=CLEAN_TEXT,
    email=CLEAN_TEXT,
    number=st.one_of(st.from_regex(r"\A0*[0-9]{1,8}\Z"), st.integers(0, 10**8)),
    archived=st.one_of(st.none(), INSTANTS),
    offset=OFFSETS,
)
def test_employee_round_trip_keeps_mapped_fields(
    uuid, first, last, email, number, archived, offset
):
    raw = {
        "id": str(uuid),
        "first_name": first,
        "last_name": last,
        "email": email,
        "accounting_number": number,
        "archived_at": rendered(archived, offset) if archived else None,
    }

    person = mapping.person_from_employee(raw)
    back = mapping.employee_from_person(person)

    assert back == {
        "id": str(uuid),
        "first_name": first,
        "last_name": last,
        "email": email,
        "accounting_number": str(number),
        "archived": archived is not None,
    }
    assert person.raw == raw


@settings(max_examples=200, deadline=None)
@given(
    start=INSTANTS,
    length=st.one_of(st.none(), st.integers(1, 48 * 3600)),
    offset=OFFSETS,
    duration_as_text=st.booleans(),
)
def test_timespan_round_trip_keeps_times_and_duration(start, length, offset, duration_as_text):
    end = start + timedelta(seconds=length) if length else None
    duration = (str(length) if duration_as_text else length) if length else None
    raw = {
        "id": str(uuid.uuid4()),
        "employee_id": str(uuid.uuid4()),
        "checkin_time": rendered(start, offset),
        "checkout_time": rendered(end, offset) if end else None,
        "duration": duration,
    }

    card = mapping.time_card_from_timespan(raw)
    back = mapping.timespan_from_time_card(card)

    assert (card.clock_in, card.clock_out) == (start, end)
    assert mapping.parse_time(back["checkin_time"]) == start
    assert mapping.parse_time(back["checkout_time"]) == end
    assert back["duration"] == length
    assert (back["id"], back["employee_id"]) == (raw["id"], raw["employee_id"])


def test_unreadable_archived_at_is_skipped_not_taken_as_active():
    skipped = mapping.person_from_employee({"id": "x", "archived_at": "yesterday"})

    assert isinstance(skipped, SkippedRecord) and "archived_at" in skipped.reason


def test_open_timespan_has_no_clock_out_and_no_hours():
    card = mapping.time_card_from_timespan(
        {
            "id": "s",
            "employee_id": "e",
            "checkin_time": "2024-06-20T10:00:00+02:00",
            "checkout_time": None,
            "duration": None,
        }
    )

    assert card.clock_in == datetime(2024, 6, 20, 8, tzinfo=UTC)
    assert card.clock_out is None and card.hours is None


@given(INSTANTS, st.sampled_from(sorted(mapping.INTENT_FOR_DIRECTION)))
def test_app_timestamp_body_is_the_documents_shape(moment, direction):
    body = mapping.app_timestamp_body("a1b2", moment, direction)

    assert set(body) == {"intent", "employee_id", "time"} and body["time"].endswith("Z")
    assert mapping.parse_time(body["time"]) == moment
