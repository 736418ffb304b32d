"""The demo manager's team punches at one clock: every other simulator holds them as employees
but makes up no attendance of its own for them (two systems inventing independent days for the
same people leave the manager's grid full of "missing in / missing out")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.client import ClientOptions
from connectors.registry import connector_class, kinds
from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import DEMO_TEAM_CLOCK, build_company
from connectors.simulators import load

#: the stream that carries each vendor's attendance
ATTENDANCE = {"biotime": "punches", "biostar": "punches", "worktime": "punches"}
ATTENDANCE |= {"q2": "time_cards", "zeitstrom": "time_cards"}
NOW = datetime(2026, 3, 12, 15, 0, tzinfo=UTC)  # a Thursday afternoon: two weeks of history


def read_all(connector, stream):
    return [record for page in connector.read(stream) for record in page.records]


def team_attendance(kind: str) -> tuple[int, int]:
    """(team members this vendor holds, attendance records of team members it serves)."""
    company = build_company()
    team = [p for p in company.people_in(kind) if p.code in company.demo_team()]
    codes = {p.seen_by(kind)["code"] for p in team}
    emails = {p.seen_by(kind)["email"].lower() for p in team}
    sim = load(kind).demo(clock=SimClock(NOW, frozen=True))
    with connector_class(kind)(
        "http://sim.test" + sim.base_path,
        sim.credentials(),
        ClientOptions(time_zone=company.time_zone),
        transport=sim.transport(),
    ) as connector:
        people = [
            person
            for person in read_all(connector, "people")
            if person.code in codes or person.email.lower() in emails
        ]
        ids = {person.vendor_id for person in people}
        records = read_all(connector, ATTENDANCE[kind])
    mine = [
        r
        for r in records
        if getattr(r, "person_id", None) in ids or getattr(r, "person_code", None) in codes
    ]
    return len(people), len(mine)


@pytest.mark.parametrize("kind", sorted(kinds()))
def test_only_the_team_clock_makes_up_attendance_for_the_demo_team(kind):
    held, records = team_attendance(kind)
    assert held > 0, f"{kind} should still hold the demo team as employees"
    if kind == DEMO_TEAM_CLOCK:
        assert records > held * 5, "the team clock should show them at work most days"
    else:
        assert records == 0, f"{kind} invents attendance for the demo team"
