"""Query filters as django-filter applies them on a BioTime server: exact matches, ``*_icontains``,
foreign keys checked against their table, empty values ignored, bad values answered with 400."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from werkzeug.wrappers import Request

from connectors.biotime.simulator.directory import ApiError

INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


class RowFilter:
    """Builds a predicate over rows from the request's query string.

    ``text(name, getter)`` adds ``name`` (exact) and ``name_icontains``; ``number`` an exact
    integer; ``choice`` a foreign key that must exist in ``valid``.
    """

    def __init__(self, request: Request):
        self.args = request.args
        self.tests: list[Callable[[object], bool]] = []
        self.errors: dict[str, list[str]] = {}

    def _value(self, name: str) -> str | None:
        value = self.args.get(name, "")
        return value if value != "" else None

    def text(self, name: str, getter: Callable[[object], str | None]) -> RowFilter:
        exact, part = self._value(name), self._value(f"{name}_icontains")
        if exact is not None:
            self.tests.append(lambda row: getter(row) == exact)
        if part is not None:
            needle = part.lower()
            self.tests.append(lambda row: needle in (getter(row) or "").lower())
        return self

    def number(self, name: str, getter: Callable[[object], int | None]) -> RowFilter:
        raw = self._value(name)
        if raw is not None:
            try:
                wanted = int(raw)
            except ValueError:
                self.errors[name] = ["Enter a number."]
            else:
                self.tests.append(lambda row: getter(row) == wanted)
        return self

    def choice(
        self,
        name: str,
        getter: Callable[[object], Iterable[int] | int | None],
        valid: Iterable[int],
    ) -> RowFilter:
        raw = self._value(name)
        if raw is not None:
            try:
                wanted = int(raw)
            except ValueError:
                wanted = None
            if wanted is None or wanted not in valid:
                self.errors[name] = [INVALID_CHOICE]
            else:

                def test(row):
                    value = getter(row)
                    return wanted in value if isinstance(value, list) else value == wanted

                self.tests.append(test)
        return self

    def date(self, name: str, getter: Callable[[object], str | None]) -> RowFilter:
        raw = self._value(name)
        if raw is not None:
            try:
                wanted = date.fromisoformat(raw).isoformat()
            except ValueError:
                self.errors[name] = ["Enter a valid date."]
            else:
                self.tests.append(lambda row: getter(row) == wanted)
        return self

    def apply(self, rows: Iterable) -> list:
        if self.errors:
            raise ApiError(400, self.errors)
        tests = self.tests
        return [row for row in rows if all(test(row) for test in tests)]


def parse_local_time(request: Request, name: str, tz: ZoneInfo) -> int | None:
    """A naive local ``YYYY-MM-DD HH:MM:SS`` query value as epoch seconds (None when absent)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    for pattern in _TIME_FORMATS:
        try:
            moment = datetime.strptime(raw, pattern)
        except ValueError:
            continue
        return int(moment.replace(tzinfo=tz).timestamp())
    raise ApiError(400, {name: ["Enter a valid date/time."]})
