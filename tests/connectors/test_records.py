"""punch_record: a PunchRecord built without the frozen dataclass's __init__ is the same record."""

import dataclasses
from datetime import UTC, datetime

import pytest

from connectors.records import PunchRecord, punch_record

AT = datetime(2026, 11, 18, 8, tzinfo=UTC)


def test_punch_record_is_the_record_punchrecord_builds():
    values = {
        "vendor_id": "7",
        "person_code": "0042",
        "occurred_at": AT,
        "direction": "in",
        "device_id": "3",
        "door_id": None,
        "person_id": "12",
        "uploaded_at": AT,
        "raw": {"id": 7},
    }
    fast, built = punch_record(**values), PunchRecord(**values)
    assert (fast, repr(fast), hash(fast)) == (built, repr(built), hash(built))
    assert list(vars(fast)) == [f.name for f in dataclasses.fields(PunchRecord)]  # every field
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.direction = "out"
    assert dataclasses.replace(fast, direction="out").direction == "out"


def test_punch_record_fills_what_is_not_given_as_punchrecord_does():
    assert punch_record("7", "0042", AT) == PunchRecord("7", "0042", AT)
    assert punch_record("7", "0042", AT).raw == {}
