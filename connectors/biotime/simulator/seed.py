"""Seeding: the demo company as its BioTime holds it (``build_demo``) and a big synthetic server
for benchmarks (``build_large``)."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from connectors.biotime.simulator.activity import DemoActivity, Worker
from connectors.biotime.simulator.directory import Directory
from connectors.biotime.simulator.records import Employee, Terminal
from connectors.biotime.simulator.transactions import GeneratedSegment, mix
from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import DEPARTMENTS, EMAIL_DOMAIN, SITES, build_company

DEPARTMENT_CODES = {
    "Operations": "OPS", "Warehouse": "WH", "Workshop": "WS", "Sales": "SAL", "Finance": "FIN",
    "Human Resources": "HR", "IT": "IT", "Security": "SEC",
}  # fmt: skip
CITIES = {"HAM": "Hamburg", "BRE": "Bremen", "HAN": "Hannover"}

#: Terminals per site: (door, model, is_attendance, extras). Extras give the devices character:
#: a thermal face reader, one that is offline around noon, one whose clock runs 4 minutes ahead.
TERMINALS = {
    "HAM": (
        ("Main entrance", "SpeedFace-V5L[TI]", True, {"sensor": "thermal"}),
        ("Staff entrance", "SpeedFace-V5L", True, {}),
        ("Server room", "ProFace X", False, {}),
    ),
    "BRE": (
        ("Gate A", "SpeedFace-V5L", True, {}),
        ("Loading dock", "MB560-VL", True, {"offline_windows": ((10 * 60 + 30, 13 * 60 + 45),)}),
    ),
    "HAN": (
        ("Front door", "SpeedFace-V4L", True, {}),
        ("Workshop", "MB360", True, {"clock_ahead_seconds": 240, "sensor": "none"}),
    ),
}
RESIGNED_POSITIONS = (40, 150)  # which demo people (by position in the BioTime list) resigned
CONTRACTOR_CODE = "88888"  # enrolled on a device only: their punches have emp null


def _base_directory() -> tuple[Directory, dict, dict, dict]:
    """Default department and area, the demo departments and positions, the sites as areas.

    Returns the directory and the ids of departments (by name), positions (by (department,
    title)) and areas (by site code).
    """
    directory = Directory()
    directory.add_node("departments", "1", "Department")
    directory.add_node("areas", "1", "Not Authorized")
    departments, positions, areas = {}, {}, {}
    for name, titles in DEPARTMENTS.items():
        code = DEPARTMENT_CODES[name]
        departments[name] = directory.add_node("departments", code, name).id
        lead = next((t for t in titles if "Lead" in t), None)
        ordered = sorted(titles, key=lambda t: t != lead)
        for number, title in enumerate(ordered, 1):
            parent = positions.get((name, lead)) if lead and title != lead else None
            positions[(name, title)] = directory.add_node(
                "positions", f"{code}-{number:02d}", title, parent
            ).id
    for site in SITES:
        areas[site.code] = directory.add_node("areas", site.code, site.name).id
    return directory, departments, positions, areas


def _add_terminals(
    directory: Directory, areas: dict[str, int], per_site: int | None = None
) -> dict[str, list[Terminal]]:
    by_site: dict[str, list[Terminal]] = {}
    serial = 7231360001
    for site_number, (site, devices) in enumerate(TERMINALS.items(), 1):
        chosen = devices if per_site is None else (devices * 3)[:per_site]
        for number, (door, model, attendance, extras) in enumerate(chosen, 1):
            terminal = directory.add_terminal(
                Terminal(
                    id=len(directory.terminals) + 1,
                    sn=f"CQZ{serial}",
                    alias=f"{site} {door}" + (f" {number}" if number > len(devices) else ""),
                    ip_address=f"10.20.{site_number}.{10 + number}",
                    area_id=areas[site],
                    terminal_name=model,
                    fw_ver="ZAM180-NF24VB-Ver1.1.8",
                    push_ver="3.1.2",
                    is_attendance=attendance,
                    fp_count=40 + number,
                    face_count=80 + number,
                    palm_count=0,
                    **extras,
                )
            )
            serial += 1
            by_site.setdefault(site, []).append(terminal)
    return by_site


def build_demo(
    cls,
    *,
    clock: SimClock | None = None,
    faults=None,
    seed: int = 1,
    history_days: int = 30,
    **kwargs,
):
    company = build_company()
    clock = clock or SimClock()
    directory, departments, positions, areas = _base_directory()
    terminals = _add_terminals(directory, areas)
    today = clock.now().astimezone(ZoneInfo(kwargs.get("time_zone", "Europe/Berlin"))).date()
    resign_date = today - timedelta(days=12)
    # before 8.5 BioTime had no resignations: those people are still on the employee list
    has_resignations = not getattr(kwargs.get("quirks"), "no_resign_endpoints", False)
    workers: list[Worker] = []
    steady = company.demo_team()
    for index, person in enumerate(company.people_in("biotime"), 1):
        seen = person.seen_by("biotime")
        h = mix(seed, index)
        department = person.department
        directory.add_employee(
            Employee(
                id=index,
                emp_code=seen["code"],
                department_id=departments[department],
                area_ids=[areas[person.site]],
                first_name=seen["first_name"],
                last_name=seen["last_name"],
                nickname="",
                device_password="",
                card_no=f"00{h % 10**8:08d}" if h % 10 < 6 else "",
                position_id=positions[(department, person.position)],
                hire_date=person.hire_date.isoformat(),
                gender="",
                contact_tel="",
                office_tel="",
                mobile=person.phone,
                national="",
                city=CITIES[person.site],
                address="",
                postcode="",
                email=seen["email"],
                enroll_sn="",
                ssn="",
                religion="",
                custom={
                    "Cost Center": f"{4100 + list(DEPARTMENTS).index(department) * 10}",
                    "Shift Group": ("Early", "Late", "Night", "Flex")[h % 4],
                    "badge_colour": ("blue", "green", "red")[h % 3],
                    "Passport No": f"C{h % 10**8:08d}" if h % 4 else "",
                    "Global ID": f"NH-{index:05d}",
                    "Primary Job": person.position,
                },
            )
        )
        last_day = None
        if index in RESIGNED_POSITIONS and has_resignations:
            directory.add_resign(index, resign_date.isoformat(), "Moved away")
            last_day = resign_date - timedelta(days=1)
        site_terminals = [t.id for t in terminals[person.site] if t.is_attendance]
        if department == "IT":  # IT also badges at the server room reader
            site_terminals += [t.id for t in terminals[person.site] if not t.is_attendance]
        workers.append(
            Worker(
                emp_code=seen["code"],
                department=department,
                index=index,
                terminals=tuple(site_terminals),
                verify_type=(15, 15, 15, 15, 15, 15, 1, 1, 1, 4)[h % 10],
                last_day=last_day,
                steady=person.code in steady,
            )
        )
    workers.append(Worker(CONTRACTOR_CODE, "Cleaning", 0, (terminals["HAM"][1].id,), verify_type=4))
    sim = cls(clock=clock, faults=faults, seed=seed, directory=directory, **kwargs)
    sim.start_activity(DemoActivity(workers, sim.tz, seed), history=timedelta(days=history_days))
    return sim


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
]


def build_large(
    cls,
    *,
    employees: int,
    transactions: int,
    clock: SimClock | None = None,
    faults=None,
    seed: int = 1,
    **kwargs,
):
    clock = clock or SimClock()
    directory, departments, positions, areas = _base_directory()
    terminals = _add_terminals(directory, areas, per_site=3)
    site_codes = [site.code for site in SITES]
    department_names = list(DEPARTMENTS)
    width = max(6, len(str(employees)))
    codes, pks, homes = [], [], []
    for k in range(employees):
        pk = k + 1
        h = mix(seed, pk)
        department = department_names[k % len(department_names)]
        titles = DEPARTMENTS[department]
        site = site_codes[k % 3]
        first, last = _FIRST[h % len(_FIRST)], _LAST[(h >> 8) % len(_LAST)]
        code = f"{pk:0{width}d}"
        home = terminals[site][(k // 3) % len(terminals[site])].id
        directory.add_employee(
            Employee(
                id=pk,
                emp_code=code,
                department_id=departments[department],
                area_ids=[areas[site]],
                first_name=first,
                last_name=last,
                position_id=positions[(department, titles[(k // 8) % len(titles)])],
                hire_date=(date(2012, 1, 1) + timedelta(days=h % 4000)).isoformat(),
                email=f"{first}.{last}.{pk}@{EMAIL_DOMAIN}".lower(),
            )
        )
        codes.append(code)
        pks.append(pk)
        homes.append(home)
    generated = None
    if transactions and employees:
        days = GeneratedSegment.days_needed(transactions, employees)
        span = ((days - 1) // 5) * 7 + (days - 1) % 5 + 1
        today = clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        first_day = today - timedelta(days=span)
        first_day -= timedelta(days=first_day.weekday())  # start on a Monday
        generated = GeneratedSegment(
            transactions,
            codes=codes,
            pks=pks,
            home_terminals=homes,
            first_day_ts=int(first_day.timestamp()),
            seed=seed,
        )
    return cls(
        clock=clock, faults=faults, seed=seed, directory=directory, generated=generated, **kwargs
    )
