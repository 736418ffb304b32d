"""The demo company every simulator is seeded from, so the same people show up across vendors
the way they do at a real customer: most in BioTime and BioStar, some in WorkTime One, a few in
only one system, and a few whose employee code or e-mail disagrees between systems.

Deterministic: the same seed gives the same company, so tests and the demo agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

SYSTEMS = ("biotime", "biostar", "worktime", "zeitstrom", "q2")
TIME_ZONE = "Europe/Berlin"
COMPANY_NAME = "Nordhafen Logistics GmbH"
EMAIL_DOMAIN = "nordhafen.example"


#: the lead of the Bremen workshop: the portal's demo "manager" login belongs to them
DEMO_TEAM_LEAD = "00049"
#: the one clock the demo team punches at; the other systems hold them as employees only, as a
#: second system inventing its own attendance for them would leave the manager's days unpaired
DEMO_TEAM_CLOCK = "biotime"


@dataclass(frozen=True)
class DemoSite:
    code: str
    name: str
    doors: tuple[str, ...]


SITES = (
    DemoSite("HAM", "Hamburg HQ", ("Main entrance", "Staff entrance", "Server room", "Archive")),
    DemoSite("BRE", "Bremen Warehouse", ("Gate A", "Loading dock", "Cold store")),
    DemoSite("HAN", "Hannover Workshop", ("Front door", "Workshop", "Parts store")),
)

DEPARTMENTS = {
    "Operations": ("Shift Lead", "Operator", "Planner"),
    "Warehouse": ("Picker", "Forklift Driver", "Warehouse Lead"),
    "Workshop": ("Mechanic", "Electrician", "Workshop Lead"),
    "Sales": ("Account Manager", "Sales Assistant"),
    "Finance": ("Accountant", "Controller"),
    "Human Resources": ("HR Generalist", "Recruiter"),
    "IT": ("System Administrator", "Support Engineer"),
    "Security": ("Security Officer",),
}

_FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Finn",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Karla",
    "Lukas",
    "Mara",
    "Noah",
    "Olga",
    "Paul",
    "Rosa",
    "Samir",
    "Tara",
    "Umut",
    "Vera",
    "Willi",
    "Yara",
    "Zoe",
    "Aylin",
    "Bruno",
    "Carla",
    "Deniz",
    "Emil",
    "Frieda",
    "Gustav",
    "Hanna",
    "Ilias",
    "Jana",
    "Kai",
    "Lea",
    "Milan",
    "Nina",
    "Oskar",
    "Pia",
    "Quentin",
    "Ronja",
    "Sven",
    "Tilda",
    "Uwe",
    "Valentina",
    "Wiebke",
    "Xaver",
]
_LAST = [
    "Albers",
    "Becker",
    "Claussen",
    "Dietrich",
    "Engel",
    "Fischer",
    "Gerdes",
    "Hansen",
    "Iversen",
    "Jansen",
    "Kruse",
    "Lange",
    "Meyer",
    "Nielsen",
    "Ohlsen",
    "Petersen",
    "Quast",
    "Rademacher",
    "Schulz",
    "Thiessen",
    "Ulrich",
    "Vogt",
    "Wagner",
    "Yilmaz",
    "Zimmermann",
    "Brandt",
    "Carstens",
    "Dose",
    "Ehlers",
    "Friedrichs",
    "Groth",
    "Hinrichs",
    "Jessen",
    "Kowalski",
    "Lorenzen",
]


@dataclass(frozen=True)
class DemoPerson:
    code: str  # employee code as HR knows it; a string with leading zeros ("00042")
    first_name: str
    last_name: str
    email: str
    phone: str
    department: str
    position: str
    site: str  # DemoSite.code
    hire_date: date
    systems: frozenset[str]
    manager_code: str | None = None
    #: per-system disagreements, e.g. {"biostar": {"code": "42"}, "worktime": {"email": "..."}}
    variants: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def seen_by(self, system: str) -> dict[str, str]:
        """This person's code, names and e-mail as ``system`` holds them."""
        values = {
            "code": self.code,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
        }
        values.update(self.variants.get(system, {}))
        return values


@dataclass(frozen=True)
class DemoCompany:
    name: str
    time_zone: str
    sites: tuple[DemoSite, ...]
    people: tuple[DemoPerson, ...]

    def people_in(self, system: str) -> list[DemoPerson]:
        return [p for p in self.people if system in p.systems]

    def demo_team(self) -> frozenset[str]:
        """Codes of the demo manager's team: they come to work every working day, so the
        manager's timecards are full of real punches (a forgotten punch still happens)."""
        return _demo_team(self.people)

    def keeps_time(self, system: str, person: DemoPerson) -> bool:
        """Whether ``system``'s simulator makes up attendance for ``person``: for everyone but
        the demo team, whose punches come from DEMO_TEAM_CLOCK alone (and reach the time
        systems through Workgate's push)."""
        return system == DEMO_TEAM_CLOCK or person.code not in _demo_team(self.people)


@cache
def _demo_team(people: tuple[DemoPerson, ...]) -> frozenset[str]:
    return frozenset(p.code for p in people if DEMO_TEAM_LEAD in (p.code, p.manager_code))


def _systems_for(rng: random.Random, index: int) -> frozenset[str]:
    if index % 29 == 7:  # a handful exist in one system only
        return frozenset({rng.choice(SYSTEMS)})
    chosen = set()
    if rng.random() < 0.9:
        chosen.add("biotime")
    if rng.random() < 0.85:
        chosen.add("biostar")
    if rng.random() < 0.3:
        chosen.add("worktime")
    if rng.random() < 0.2:
        chosen.add("zeitstrom")
    if rng.random() < 0.15:
        chosen.add("q2")
    return frozenset(chosen or {"biotime"})


@cache
def build_company(size: int = 300, seed: int = 7) -> DemoCompany:
    rng = random.Random(seed)
    people: list[DemoPerson] = []
    leads: dict[tuple[str, str], str] = {}  # (site, department) -> code of the first person there
    used_emails: set[str] = set()
    for index in range(1, size + 1):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        local = f"{first}.{last}".lower()
        email = f"{local}@{EMAIL_DOMAIN}"
        suffix = 2
        while email in used_emails:
            email = f"{local}{suffix}@{EMAIL_DOMAIN}"
            suffix += 1
        used_emails.add(email)
        department = rng.choice(list(DEPARTMENTS))
        site = SITES[index % len(SITES)].code
        code = f"{index:05d}"
        systems = _systems_for(rng, index)
        variants: dict[str, dict[str, str]] = {}
        if index % 37 == 3 and "biostar" in systems:  # BioStar stored the code without zeros
            variants["biostar"] = {"code": str(index)}
        if index % 41 == 5 and "worktime" in systems:  # WorkTime has a private address
            variants["worktime"] = {"email": f"{first.lower()}{index}@mail.example"}
        if index % 53 == 11 and "zeitstrom" in systems:  # typo in Zeitstrom's personnel number
            variants["zeitstrom"] = {"code": f"{index:05d}-1"}
        manager = leads.setdefault((site, department), code)
        people.append(
            DemoPerson(
                code=code,
                first_name=first,
                last_name=last,
                email=email,
                phone=f"+49 40 {rng.randint(1000000, 9999999)}",
                department=department,
                position=rng.choice(DEPARTMENTS[department]),
                site=site,
                hire_date=date(2015, 1, 1) + timedelta(days=rng.randint(0, 3800)),
                systems=systems,
                manager_code=None if manager == code else manager,
                variants=variants,
            )
        )
    return DemoCompany(COMPANY_NAME, TIME_ZONE, SITES, tuple(people))
