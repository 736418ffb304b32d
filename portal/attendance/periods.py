"""Reading the period a page shows from its query parameters: a week or a month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

SPANS = ("week", "month")


@dataclass(frozen=True)
class Span:
    kind: str
    start: date
    end: date

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def previous(self) -> Span:
        return span_of(self.kind, self.start - timedelta(days=1))

    @property
    def next(self) -> Span:
        return span_of(self.kind, self.end + timedelta(days=1))

    @property
    def query(self) -> str:
        return f"span={self.kind}&start={self.start:%Y-%m-%d}"


def span_of(kind: str, day: date) -> Span:
    if kind == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return Span("month", first, following - timedelta(days=1))
    monday = day - timedelta(days=day.weekday())
    return Span("week", monday, monday + timedelta(days=6))


def parse_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def span_from(params) -> Span:
    """``?span=week|month&start=YYYY-MM-DD``; anything unreadable falls back to this week."""
    kind = params.get("span") if params.get("span") in SPANS else "week"
    day = parse_date(params.get("start")) or timezone.localdate()
    return span_of(kind, day)
