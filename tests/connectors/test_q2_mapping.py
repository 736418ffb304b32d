"""Q2 mapping: never crashes on type variations, and vendor → canonical → vendor keeps every
mapped field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.q2 import mapping
from connectors.records import PersonRecord, SkippedRecord, TimeCardRecord

ZONES = st.sampled_from(["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"])
ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=25),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "3",
            "7",
            "0.0",
            "-1",
            "8.000",
            "0000-00-00 00:00:00",
            "0000-00-00",
            "2021-05-27 08:49:00",
            "2021-05-27 08:49",
            "2021-05-27",
            "2021-02-30 08:00:00",
            "ALL USERS",
            "Inactive",
        ]
    ),
)
ANY_VALUE = st.one_of(ANY_SCALAR, st.lists(ANY_SCALAR, max_size=2))
USER_KEYS = [
    "userFullName",
    "userName",
    "digitId",
    "employeeNumber",
    "email",
    "mobilePhone",
    "role",
    "updatedDateTime",
    "createdDateTime",
    "departmentName",
    "hiredDate",
    "firstName",
    "lastName",
]
CARD_KEYS = [
    "userFullName",
    "firstName",
    "lastName",
    "employeeNumber",
    "userName",
    "inDateTime",
    "outDateTime",
    "hours",
    "entryType",
    "adjustHoursAmount",
    "createdDateTime",
    "updateDateTime",
    "approvedByEmployee",
]
MAPPED_CARD_COLUMNS = ("userName", "inDateTime", "outDateTime", "entryType", "hours")
WORD = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=12)
MINUTES = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=UTC)
)
NOT_OUT = "0000-00-00 00:00:00"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(USER_KEYS), ANY_VALUE))
def test_user_mapper_never_raises(raw):
    result = mapping.person_from_user(raw)

    assert isinstance(result, PersonRecord | SkippedRecord)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(CARD_KEYS), ANY_VALUE), ZONES)
def test_time_card_mapper_never_raises(raw, zone):
    result = mapping.time_card_from_row(raw, zone)

    assert isinstance(result, TimeCardRecord | SkippedRecord)
    if isinstance(result, TimeCardRecord):
        assert result.clock_in.tzinfo is UTC and result.entry_type in mapping.ENTRY_TYPE_CODES


@given(ANY_VALUE, ZONES)
def test_mappers_skip_values_that_are_not_objects(value, zone):
    assert isinstance(mapping.person_from_user(value), SkippedRecord)
    assert isinstance(mapping.time_card_from_row(value, zone), SkippedRecord)


@settings(max_examples=200, deadline=None)
@given(
    user=WORD,
    number=st.from_regex(r"\A[0-9]{0,8}\Z"),
    first=WORD,
    last=st.lists(WORD, max_size=2),
    email=st.emails(),
    phone=st.from_regex(r"\A(\+[0-9]{6,14})?\Z"),
    department=st.sampled_from(["", "HR", "IT Ops"]),
    hired=st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 1, 1))),
    role=st.sampled_from(["Admin", "Manager", "Employee", "Inactive"]),
)
def test_user_round_trip_keeps_mapped_fields(
    user, number, first, last, email, phone, department, hired, role
):
    full = " ".join([first, *last])
    shared = {
        "userName": user,
        "employeeNumber": number,
        "userFullName": full,
        "email": email,
        "mobilePhone": phone,
        "departmentName": department,
    }
    raw = {**shared, "hiredDate": hired.isoformat() if hired else "0000-00-00", "role": role}

    back = mapping.user_from_person(mapping.person_from_user(raw))

    assert back == {
        **shared,
        "hiredDate": hired.isoformat() if hired else "",
        "active": role != "Inactive",
    }


@settings(max_examples=300, deadline=None)
@given(
    start=MINUTES,
    minutes=st.one_of(st.none(), st.integers(1, 24 * 60)),
    zone=ZONES,
    entry_type=st.sampled_from([0, 1, 2, 3]),
    numeric=st.booleans(),
    hours=st.integers(0, 24_000).map(lambda n: f"{n / 1000:.3f}"),
)
def test_time_card_round_trip_keeps_mapped_fields(start, minutes, zone, entry_type, numeric, hours):
    job = entry_type == 0
    end = start + timedelta(minutes=minutes) if job and minutes else None
    raw = {
        "userName": "elonmusk",
        "inDateTime": mapping.format_local(start, zone),
        "outDateTime": mapping.format_local(end, zone),
        "entryType": entry_type if numeric else str(entry_type),
        "hours": "0.000" if job else hours,
        "adjustHoursAmount": "0",
        "createdDateTime": "2021-05-27 08:49:00",
    }

    card = mapping.time_card_from_row(raw, zone)
    back = mapping.row_from_time_card(card, zone)

    assert back == {k: str(raw[k]) for k in MAPPED_CARD_COLUMNS}
    assert (card.clock_in, card.clock_out) == (start, end)


def test_document_sample_card_maps():
    sample = {
        "userFullName": "Elon Musk",
        "firstName": "Elon",
        "lastName": "Musk",
        "employeeNumber": "12345",
        "userName": "elonmusk",
        "digitId": "123456",
        "inDateTime": "2021-05-27 08:49:00",
        "outDateTime": "2021-05-27 18:35:00",
        "hours": "0.000",
        "entryType": 0,
        "adjustHoursAmount": "0",
        "approvedByEmployee": 0,
        "updateDateTime": "2021-05-27 18:35:00",
        "createdDateTime": "2021-05-27 08:49:00",
    }

    card = mapping.time_card_from_row(sample, "America/New_York")

    assert card.clock_in == datetime(2021, 5, 27, 12, 49, tzinfo=UTC)
    assert card.clock_out == datetime(2021, 5, 27, 22, 35, tzinfo=UTC)
    assert card.hours == pytest.approx(9 + 46 / 60)
    assert (card.entry_type, card.person_id) == ("job", "elonmusk")


def test_money_adjustment_keeps_hours_out_of_the_record():
    raw = {
        "userName": "u",
        "inDateTime": "2024-01-05 12:00:00",
        "outDateTime": NOT_OUT,
        "entryType": "2",
        "hours": "25.00",
        "adjustHoursAmount": "1",
    }

    card = mapping.time_card_from_row(raw, "UTC")

    assert card.entry_type == "addition" and card.hours is None and card.clock_out is None
    assert not mapping.is_open(card)


@pytest.mark.parametrize("entry_type", ["", "9", "job", None])
def test_unknown_entry_type_is_skipped_with_its_reason(entry_type):
    skipped = mapping.time_card_from_row(
        {"userName": "u", "inDateTime": "2024-01-05 08:00:00", "entryType": entry_type}, "UTC"
    )

    assert isinstance(skipped, SkippedRecord) and "entryType" in skipped.reason


def test_same_save_time_cards_get_distinct_keys():
    week = [
        {
            "userName": "u",
            "createdDateTime": "2024-01-02 09:00:00",
            "entryType": "1",
            "inDateTime": f"2024-01-{day:02d} 08:00:00",
            "outDateTime": NOT_OUT,
            "hours": "8.000",
        }
        for day in range(8, 13)
    ]

    keys = {mapping.time_card_from_row(raw, "UTC").vendor_id for raw in week}

    assert len(keys) == 5
