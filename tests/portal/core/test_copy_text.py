"""COPY's text format: one writer for the punch pages (column kinds from the model's fields) and
the cards (their COLUMNS, flags and pairs encoded beforehand); no database needed."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from portal.attendance.models import Punch, TimeCard
from portal.attendance.store import COLUMNS, _copy_text
from portal.core.copy_text import (
    BYTES,
    JsonText,
    column_kind,
    copy_lines,
    encode_json,
    timestamp_text,
)
from portal.core.packed_json import pack
from portal.doors.models import DoorEvent

AT = datetime(2026, 11, 18, 8, 30, tzinfo=UTC)
EAST = AT.astimezone(timezone(timedelta(hours=5, minutes=30)))
AWKWARD = 'a\\b\tc\nd\re "q" é \x00 \\N'


def test_copy_lines_escapes_awkward_text_and_writes_nulls_times_and_json():
    fields = [DoorEvent._meta.get_field(name) for name in ("vendor_key", "raw", "occurred_at")]
    kinds = [column_kind(field) for field in fields]
    rows = [
        (AWKWARD, {"k": AWKWARD, "n": None}, EAST),
        (None, None, None),
        ("plain", JsonText('{"x":"\\\\"}'), AT.replace(tzinfo=None)),
    ]

    text = copy_lines(kinds, rows)

    assert text.split("\n") == [
        'a\\\\b\\tc\\nd\\re "q" é \x00 \\\\N\t{"k":"a\\\\\\\\b\\\\tc\\\\nd\\\\re \\\\"q\\\\" é'
        ' \\\\u0000 \\\\\\\\N","n":null}\t2026-11-18T14:00:00+05:30',
        "\\N\t\\N\t\\N",
        'plain\t{"x":"\\\\\\\\"}\t2026-11-18T08:30:00',
        "",
    ]


def test_packed_columns_are_written_as_bytea_hex_text():
    """A punch's raw is packed bytes: bytea's hex form, whatever bytes it holds (tabs, newlines,
    backslashes, NUL are hex digits there), its backslash doubled for COPY."""
    assert column_kind(Punch._meta.get_field("raw")) == BYTES
    packed = pack({"k": AWKWARD})

    text = copy_lines([BYTES], [(b"\x00\\\t\n",), (None,), (packed,)])

    assert text.split("\n") == ["\\\\x005c090a", "\\N", "\\\\x" + packed.hex(), ""]


def test_cards_and_punch_pages_write_the_same_text_for_the_same_values():
    """A card row through the cards' writer and through the punch pages' (kinds from the
    TimeCard model's fields, flags and pairs as the JSON the cards' writer encodes)."""
    flags, pairs = ["late", AWKWARD], [["08:00", None], [AWKWARD, "16:00"]]
    card = (7, date(2026, 11, 18), EAST, None, 480, 30, 0, 0, 5, 0, flags, pairs, AWKWARD, True, AT)
    fields = [TimeCard._meta.get_field(name) for name in COLUMNS]
    as_page = list(card)
    as_page[10], as_page[11] = encode_json(flags), encode_json(pairs)
    # the cards write JSON with ASCII escapes (json), the pages with UTF-8 (orjson): same JSON
    as_page[10] = JsonText(as_page[10].replace("é", "\\u00e9").replace("\\u0000", "\\u0000"))
    as_page[11] = JsonText(as_page[11].replace("é", "\\u00e9"))

    cards_text = _copy_text([card, card])
    page_text = copy_lines([column_kind(field) for field in fields], [as_page, as_page])

    assert cards_text == page_text
    line = cards_text.split("\n")[0].split("\t")
    assert line[:4] == ["7", "2026-11-18", "2026-11-18T14:00:00+05:30", "\\N"]
    assert line[12:] == ['a\\\\b\\tc\\nd\\re "q" é \x00 \\\\N', "t", "2026-11-18 08:30:00+00:00"]


def test_timestamp_text_is_the_same_instant_as_isoformat_writes():
    """UTC times of whole seconds are written from their hour's text; the rest by isoformat."""
    berlin = ZoneInfo("Europe/Berlin")
    times = [AT + timedelta(minutes=7 * n, seconds=n) for n in range(600)]  # 70 hours, all seconds
    times += [
        AT.replace(microsecond=5),
        EAST,
        AT.astimezone(berlin),
        datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
    ]

    for value in times:
        text = timestamp_text(value)
        assert datetime.fromisoformat(text) == value, text
        assert datetime.fromisoformat(text).utcoffset() == value.utcoffset()
    assert timestamp_text(AT) == "2026-11-18 08:30:00+00:00"
    assert timestamp_text(EAST) == "2026-11-18T14:00:00+05:30"
    assert timestamp_text(AT.replace(tzinfo=None)) == "2026-11-18T08:30:00"  # read in UTC
