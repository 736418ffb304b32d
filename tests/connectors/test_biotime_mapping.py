"""Property tests of the BioTime mappers: any type variation maps or is skipped (never raises),
and vendor → canonical → vendor keeps every mapped field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.biotime import mapping
from connectors.biotime.cursor import PunchCursor
from connectors.records import (
    PUNCH_DIRECTIONS,
    DepartmentRecord,
    DeviceRecord,
    PersonRecord,
    PositionRecord,
    PunchRecord,
    SiteRecord,
    SkippedRecord,
)
from connectors.timezones import utc_to_local_naive

PROPERTY = settings(max_examples=150, deadline=None)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=25),
    st.sampled_from(
        [
            "",
            "null",
            "0",
            "1",
            "255",
            "2025-03-12 08:00:00",
            "2025-13-45",
            "2024-02-29",
            "007",
            " 42 ",
            "9999-12-31 23:59:59",
            "0001-01-01 00:00:00",
            "1e400",
            "nan",
            "2025-03-12T08:00",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["id", "dept_name", "area_name", "x"]), inner, max_size=3),
    ),
    max_leaves=6,
)
EMPLOYEE_KEYS = [
    "id",
    "emp_code",
    "first_name",
    "last_name",
    "email",
    "mobile",
    "contact_tel",
    "department",
    "dept_name",
    "position",
    "position_name",
    "area",
    "area_name",
    "hire_date",
    "Cost Center",
]
TRANSACTION_KEYS = [
    "id",
    "emp",
    "emp_code",
    "punch_time",
    "punch_state",
    "upload_time",
    "terminal_sn",
    "verify_type",
    "temperature",
    "punch_state_display",
]
TERMINAL_KEYS = [
    "id",
    "sn",
    "alias",
    "terminal_name",
    "state",
    "area",
    "last_activity",
    "fw_ver",
    "is_attendance",
]
NODE_KEYS = [
    "id",
    "dept_code",
    "dept_name",
    "parent_dept",
    "area_code",
    "area_name",
    "parent_area",
    "position_code",
    "position_name",
    "parent_position",
]
ZONES = st.sampled_from(["Europe/Berlin", "Asia/Dubai", "UTC", "America/New_York"])


def rows(keys):
    return st.one_of(st.dictionaries(st.sampled_from(keys), values, max_size=len(keys)), values)


# -- never crash -----------------------------------------------------------------------------------
@PROPERTY
@given(row=rows(EMPLOYEE_KEYS), resigned_on=st.one_of(st.none(), st.dates()))
def test_employee_mapper_never_raises(row, resigned_on):
    found = mapping.person_from_employee(row, resigned_on=resigned_on, departments={"1": "D"})

    assert isinstance(found, PersonRecord | SkippedRecord)
    if isinstance(found, PersonRecord):
        assert found.code and found.vendor_id and found.active is (resigned_on is None)
        assert all(isinstance(s, str) for s in found.site_ids)


@PROPERTY
@given(row=rows(TRANSACTION_KEYS), zone=ZONES)
def test_transaction_mapper_never_raises(row, zone):
    found = mapping.punch_from_transaction(row, zone, {"SN1": "1"})

    assert isinstance(found, PunchRecord | SkippedRecord)
    if isinstance(found, PunchRecord):
        assert found.direction in PUNCH_DIRECTIONS and found.occurred_at.tzinfo is not None


@PROPERTY
@given(row=rows(TERMINAL_KEYS), zone=ZONES)
def test_terminal_mapper_never_raises(row, zone):
    found = mapping.device_from_terminal(row, zone)

    assert isinstance(found, DeviceRecord | SkippedRecord)


@PROPERTY
@given(row=rows(NODE_KEYS), kind=st.sampled_from(sorted(mapping.TREE_KEYS)))
def test_node_mapper_never_raises(row, kind):
    found = mapping.node_from_row(kind, row)

    assert isinstance(found, DepartmentRecord | PositionRecord | SiteRecord | SkippedRecord)


# -- types that vary by build --------------------------------------------------------------------------
@PROPERTY
@given(state=st.sampled_from([0, 1, 2, 3, 4, 5, 255]), as_text=st.booleans())
def test_punch_state_as_text_or_int_gives_the_same_direction(state, as_text):
    expected = {
        0: "in",
        1: "out",
        2: "break_out",
        3: "break_in",
        4: "in",
        5: "out",
        255: "unknown",
    }[state]

    assert mapping.direction(str(state) if as_text else state) == expected


@PROPERTY
@given(
    state=st.one_of(
        st.just(1),
        st.just("1"),
        st.just(2),
        st.just(3),
        st.just("3"),
        st.none(),
        st.text(max_size=3),
    )
)
def test_terminal_online_by_state_in_any_type(state):
    found = mapping.device_from_terminal({"id": 1, "state": state}, "UTC")

    assert found.online is (mapping.as_int(state) in (1, 2))


@PROPERTY
@given(pk=st.integers(1, 10**6), shape=st.sampled_from(["id", "text", "object"]))
def test_foreign_key_as_id_text_or_object(pk, shape):
    value = (
        {"id": pk, "dept_name": "X"} if shape == "object" else (str(pk) if shape == "text" else pk)
    )

    assert mapping.ref_id(value) == str(pk)


# -- vendor → canonical → vendor -------------------------------------------------------------------------
names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=20
)
codes = st.from_regex(r"[0-9A-Za-z]{1,12}", fullmatch=True)


@st.composite
def employees(draw):
    pk, dept, pos = (
        draw(st.integers(1, 10**5)),
        draw(st.integers(1, 99)),
        draw(st.one_of(st.none(), st.integers(1, 99))),
    )
    areas = draw(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True))
    nested = draw(st.booleans())
    as_text = draw(st.booleans())  # some answers send ids as text

    def fk(value, name_key):
        if value is None:
            return None
        return (
            {"id": value, name_key: f"n{value}"} if nested else (str(value) if as_text else value)
        )

    return {
        "id": pk,
        "emp_code": draw(codes),
        "first_name": draw(names),
        "last_name": draw(names),
        "email": draw(st.sampled_from(["", "a@b.example", "x.y@z.example"])),
        "mobile": draw(st.sampled_from(["", "+49 40 1234"])),
        "department": fk(dept, "dept_name"),
        "dept_name": f"n{dept}",
        "position": fk(pos, "position_name"),
        "area": [fk(a, "area_name") for a in areas],
        "hire_date": draw(
            st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2040, 1, 1)).map(str))
        ),
        "Cost Center": draw(st.sampled_from(["4100", ""])),
    }


@PROPERTY
@given(row=employees())
def test_employee_round_trip_keeps_every_mapped_field(row):
    person = mapping.person_from_employee(row)
    body = mapping.employee_body(person)

    assert body["emp_code"] == row["emp_code"]
    for key in ("first_name", "last_name", "email", "mobile"):
        assert body[key] == row[key].strip()
    assert str(body["department"]) == mapping.ref_id(row["department"])
    assert [str(a) for a in body["area"]] == [mapping.ref_id(a) for a in row["area"]]
    assert str(body.get("position")) == str(mapping.ref_id(row["position"]))
    assert body.get("hire_date") == row["hire_date"]
    assert person.raw["Cost Center"] == row["Cost Center"]  # custom fields kept, not mapped


@PROPERTY
@given(
    kind=st.sampled_from(sorted(mapping.TREE_KEYS)),
    pk=st.integers(1, 999),
    code=codes,
    name=names,
    parent=st.one_of(st.none(), st.integers(1, 999)),
)
def test_node_round_trip_keeps_code_name_and_parent(kind, pk, code, name, parent):
    code_key, name_key, parent_key = mapping.TREE_KEYS[kind]
    row = {"id": pk, code_key: code, name_key: name, parent_key: parent}

    record = mapping.node_from_row(kind, row)
    body = mapping.node_body(
        kind,
        name=record.name,
        code=record.code,
        parent_id=getattr(record, "parent_id", str(parent) if parent else None),
        with_parent=True,
    )

    assert body == {code_key: code, name_key: name.strip(), parent_key: parent}


@PROPERTY
@given(
    moment=st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    zone=st.sampled_from(["Asia/Dubai", "UTC", "Asia/Kolkata"]),
    state=st.sampled_from([0, 1, "2", "3"]),
)
def test_punch_local_time_round_trips_in_zones_without_dst(moment, zone, state):
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    row = {
        "id": 9,
        "emp": None,
        "emp_code": "007",
        "punch_time": text,
        "upload_time": text,
        "punch_state": state,
    }

    punch = mapping.punch_from_transaction(row, zone)

    assert (
        utc_to_local_naive(punch.occurred_at, zone) == text
        and punch.uploaded_at == punch.occurred_at
    )
    assert punch.person_code == "007" and punch.person_id is None


@PROPERTY
@given(
    upload=st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
    lag=st.one_of(st.none(), st.integers(0, 10**6)),
)
def test_punch_cursor_round_trips(upload, lag):
    upload = upload.replace(microsecond=0)
    swept = None if lag is None else upload - timedelta(seconds=lag)
    cursor = PunchCursor(upload, swept)

    assert PunchCursor.loads(cursor.dumps(), "Europe/Berlin") == cursor


def test_extra_fields_keep_custom_keys_with_spaces_and_leave_out_mapped_and_secret_ones():
    row = {
        "id": 3, "emp_code": "007", "first_name": "Ada", "department": 1, "dept_name": "HQ",
        "nickname": "A", "card_no": "0012", "device_password": "1234",
        "self_password": "pbkdf2_sha256$...", "Passport No": "C01X", "Global ID": "NH-7",
        "primary job": "Welder",
    }  # fmt: skip

    extra = mapping.extra_fields(row)
    custom = mapping.extra_fields(row, custom_only=True)

    assert extra == {
        "nickname": "A", "card_no": "0012", "Passport No": "C01X", "Global ID": "NH-7",
        "primary job": "Welder",
    }  # fmt: skip
    assert custom == {"Passport No": "C01X", "Global ID": "NH-7", "primary job": "Welder"}
    assert mapping.person_from_employee(row).raw == row  # the whole record is kept
    assert mapping.extra_fields("not a row") == {}
