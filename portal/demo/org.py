"""The demo organisation in the portal: the people of the demo company as its HR master
(BioTime) holds them, in their departments, positions and sites, each with their manager.

Seeded before the first sync, so the first pull of every simulator links these people (by code,
then e-mail) instead of importing them, and their punches arrive from the simulators' own data.
The "manager" login is the person who leads the Bremen workshop: eight direct reports, and a
sub-team of five under the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from connectors.biotime.simulator.seed import DEPARTMENT_CODES, RESIGNED_POSITIONS
from connectors.simkit.demo_company import (
    DEMO_TEAM_LEAD,
    DEPARTMENTS,
    SITES,
    TIME_ZONE,
    DemoPerson,
    build_company,
)
from portal.people.models import Department, Person, Position, Site
from portal.people.search import index_people

HR_MASTER = "biotime"
#: the manager login's person, and how their team is split
TEAM_LEAD_CODE = DEMO_TEAM_LEAD
DIRECT_REPORTS = 8
SUB_TEAM = 5


@dataclass(frozen=True)
class SeededOrg:
    people_created: int
    managers_set: int
    lead: Person
    direct_reports: int
    sub_team: int


def hr_master_people() -> list[DemoPerson]:
    """The people BioTime lists, without those who resign there (its pull terminates them)."""
    listed = build_company().people_in(HR_MASTER)
    resigned = {listed[position - 1].code for position in RESIGNED_POSITIONS}
    return [person for person in listed if person.code not in resigned]


def position_codes() -> dict[str, str]:
    """Title → code, numbered per department lead first, as BioTime's directory numbers them."""
    codes = {}
    for department, titles in DEPARTMENTS.items():
        lead = next((t for t in titles if "Lead" in t), None)
        for number, title in enumerate(sorted(titles, key=lambda t: t != lead), 1):
            codes.setdefault(title, f"{DEPARTMENT_CODES[department]}-{number:02d}")
    return codes


def team_managers(people: list[DemoPerson]) -> dict[str, str | None]:
    """Code → manager code: the company's (each site's department lead), then the demo team
    re-cut so the lead has DIRECT_REPORTS and the first of them leads the next SUB_TEAM."""
    managers = {p.code: p.manager_code for p in people}
    known = set(managers)
    for code, manager in managers.items():
        if manager not in known:  # a lead BioTime does not list leads nobody here
            managers[code] = None
    team = sorted(code for code, manager in managers.items() if manager == TEAM_LEAD_CODE)
    direct, sub_team = team[:DIRECT_REPORTS], team[DIRECT_REPORTS : DIRECT_REPORTS + SUB_TEAM]
    for code in sub_team:
        managers[code] = direct[0]
    return managers


@transaction.atomic
def seed_org(manager_user=None) -> SeededOrg:
    """Create what is missing and set every manager; changes nothing that is already so."""
    sites = {}
    for site in SITES:
        sites[site.code], _ = Site.objects.get_or_create(
            code=site.code, defaults={"name": site.name, "time_zone": TIME_ZONE}
        )
    departments = {}
    for name, code in DEPARTMENT_CODES.items():
        departments[name], _ = Department.objects.get_or_create(code=code, defaults={"name": name})
    positions = {}
    for title, code in position_codes().items():
        positions[title] = (
            Position.objects.filter(name=title).first()
            or Position.objects.get_or_create(code=code, defaults={"name": title})[0]
        )

    people = hr_master_people()
    existing = set(
        Person.objects.filter(employee_code__in=[p.code for p in people]).values_list(
            "employee_code", flat=True
        )
    )
    fresh = []
    for demo in people:
        if demo.code in existing:
            continue
        seen = demo.seen_by(HR_MASTER)
        fresh.append(
            Person(
                employee_code=demo.code,
                first_name=seen["first_name"],
                last_name=seen["last_name"],
                email=seen["email"],
                phone=demo.phone,
                department=departments[demo.department],
                position=positions[demo.position],
                hire_date=demo.hire_date,
            )
        )
    created = Person.objects.bulk_create(fresh)
    index_people(created)  # bulk_create sends no post_save: the directory's search terms
    site_of = {demo.code: sites[demo.site].pk for demo in people}
    Person.sites.through.objects.bulk_create(
        [Person.sites.through(person_id=p.pk, site_id=site_of[p.employee_code]) for p in created],
        ignore_conflicts=True,
    )

    wanted = team_managers(people)
    by_code = {p.employee_code: p for p in Person.objects.filter(employee_code__in=list(wanted))}
    changed = []
    for code, manager_code in wanted.items():
        person, manager = by_code[code], by_code.get(manager_code or "")
        manager_id = manager.pk if manager else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            changed.append(person)
    Person.objects.bulk_update(changed, ["manager"])

    lead = by_code[TEAM_LEAD_CODE]
    if manager_user is not None and lead.user_id != manager_user.pk:
        Person.objects.filter(user=manager_user).update(user=None)
        lead.user = manager_user
        lead.save(update_fields=["user"])
    direct = [c for c, m in wanted.items() if m == TEAM_LEAD_CODE]
    return SeededOrg(
        people_created=len(created),
        managers_set=len(changed),
        lead=lead,
        direct_reports=len(direct),
        sub_team=sum(1 for m in wanted.values() if m == (sorted(direct) or [None])[0]),
    )
