"""Seeding: the demo company's sites, doors, controllers, groups and people as BioStar holds them,
and the activity plan that keeps them moving."""

from __future__ import annotations

from datetime import timedelta

from connectors.biostar.simulator.activity import ActivityPlan, PlanPerson, PlanSite, shift_for
from connectors.biostar.simulator.state import (
    ADMIN_USER_ID,
    DEVICE_TYPES,
    ROOT_GROUP_ID,
    AccessGroup,
    AccessLevel,
    Device,
    Door,
    User,
    UserGroup,
)
from connectors.simkit.demo_company import DemoCompany, DemoPerson

ENTRANCES = {"Main entrance", "Staff entrance", "Gate A", "Front door"}
# Restricted doors and the departments (besides Security) allowed through them.
RESTRICTED = {"Server room": ("IT",), "Cold store": ("Warehouse",), "Parts store": ("Workshop",)}
USUAL_DOORS = {  # which inner doors a department goes through during a shift
    "IT": ("Server room", "Archive"),
    "Finance": ("Archive",),
    "Human Resources": ("Archive",),
    "Warehouse": ("Loading dock", "Cold store"),
    "Workshop": ("Workshop", "Parts store"),
    "Operations": ("Loading dock", "Workshop"),
}
FIRST_DEVICE_ID = 541_000_101


def seed_admin(sim, password: str) -> None:
    sim.user_groups[ROOT_GROUP_ID] = UserGroup(ROOT_GROUP_ID, "All Users", None, depth=0)
    admin = User(
        ADMIN_USER_ID, "Administrator", login_id="admin", password=password, permission_id=1
    )
    sim.store_user(admin)


def seed_sites(sim, company: DemoCompany) -> None:
    """One controller and one door per site door name; access levels and groups per site."""
    device_id = FIRST_DEVICE_ID
    for site_number, site in enumerate(company.sites, start=1):
        general = AccessLevel(
            sim.next_id("access_level"), f"{site.code} general", f"{site.name}: shared doors"
        )
        sim.access_levels[general.id] = general
        door_group_id = 1 + site_number  # one door group per site, named as the site
        sim.door_groups[door_group_id] = site.name
        for door_number, door_name in enumerate(site.doors, start=1):
            entrance = door_name in ENTRANCES
            device_type = DEVICE_TYPES[29 if entrance else 32]
            ip = f"10.{site_number}.0.{10 + door_number}"
            name = f"{device_type.name} {device_id} ({ip})"
            sim.devices[device_id] = Device(device_id, name, device_type.id, ip, site=site.code)
            door = Door(
                sim.next_id("door"), door_name, device_id,
                description=f"{site.name}", site=site.code, door_group_id=door_group_id,
                open_duration=5 if entrance else 3, open_timeout=15 if entrance else 10,
            )  # fmt: skip
            sim.doors[door.id] = door
            device_id += 1
            if door_name in RESTRICTED:
                level = AccessLevel(
                    sim.next_id("access_level"), f"{site.code} {door_name}", door_ids=[door.id]
                )
                sim.access_levels[level.id] = level
                group = AccessGroup(
                    sim.next_id("access_group"), f"{site.code} {door_name} access",
                    f"{door_name} at {site.name}", access_level_ids=[level.id],
                )  # fmt: skip
                sim.access_groups[group.id] = group
            else:
                general.door_ids.append(door.id)
        staff = AccessGroup(
            sim.next_id("access_group"), f"{site.name} staff",
            f"Everyone working at {site.name}", access_level_ids=[general.id],
        )  # fmt: skip
        sim.access_groups[staff.id] = staff


def seed_departments(sim, company: DemoCompany) -> dict[str, int]:
    groups = {}
    for department in sorted({p.department for p in company.people}):
        group = UserGroup(
            sim.next_id("user_group"), department, ROOT_GROUP_ID, f"{department} department", 1
        )
        sim.user_groups[group.id] = group
        groups[department] = group.id
    return groups


def seed_people(sim, company: DemoCompany) -> None:
    groups = seed_departments(sim, company)
    now = sim.clock.now()
    for index, person in enumerate(company.people_in("biostar")):
        seen = person.seen_by("biostar")
        user = User(
            user_id=seen["code"],
            name=f"{seen['first_name']} {seen['last_name']}",
            user_group_id=groups[person.department],
            email=seen["email"],
            phone=person.phone,
            department=person.department,
            user_title=person.position,
            face_count=1,
            card_count=1,
        )
        if index % 47 == 13:  # left the company, kept but disabled
            user.disabled = True
        elif index % 53 == 29:  # contractor whose access runs out soon
            user.expiry_datetime = (now + timedelta(days=20 + index % 40)).replace(
                hour=22, minute=59, second=0, microsecond=0
            )
        sim.store_user(user)
        _grant_site_access(sim, person, user.user_id)


def _grant_site_access(sim, person: DemoPerson, user_id: str) -> None:
    site = next(s for s in sim.company.sites if s.code == person.site)
    for group in sim.access_groups.values():
        if group.name == f"{site.name} staff":
            group.user_ids.add(user_id)
        for door_name, departments in RESTRICTED.items():
            allowed = person.department in departments or person.department == "Security"
            if group.name == f"{site.code} {door_name} access" and allowed:
                group.user_ids.add(user_id)


def build_plan(sim, company: DemoCompany) -> ActivityPlan:
    by_site: dict[str, list[Door]] = {}
    for door in sorted(sim.doors.values(), key=lambda d: d.id):
        by_site.setdefault(door.site, []).append(door)
    people, patrols = [], {}
    for person in company.people_in("biostar"):
        user_id = person.seen_by("biostar")["code"]
        doors = by_site.get(person.site, [])
        entrances = [d for d in doors if d.name in ENTRANCES]
        if not entrances:
            continue
        office = person.department in ("Sales", "Finance", "Human Resources", "IT")
        entrance = entrances[0] if office or len(entrances) == 1 else entrances[1]
        usual = tuple(d.id for d in doors if d.name in USUAL_DOORS.get(person.department, ()))
        shift = shift_for(person.department, user_id)
        people.append(
            PlanPerson(
                user_id,
                person.site,
                person.department,
                shift,
                entrance.id,
                usual,
                keeps_time=company.keeps_time("biostar", person),
            )
        )
        if person.department == "Security":
            patrols.setdefault(person.site, user_id)
    sites = [
        PlanSite(
            code,
            tuple(d.id for d in doors if d.name in ENTRANCES),
            tuple(d.id for d in doors if d.name not in ENTRANCES),
            {d.id: d.open_timeout for d in doors},
            patrols.get(code) or next((p.user_id for p in people if p.site == code), None),
        )
        for code, doors in by_site.items()
    ]
    return ActivityPlan(people, sites, sim.zone, sim.seed)
