"""Which site a vendor door belongs to: its door group or lock location, mapped to a Site.

The mapping is a row per (account, group) an administrator edits; the first time a group is
seen the mirror guesses its site from the names (equal, else one contains the other).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from portal.devices.models import Device
from portal.doors.models import Door, DoorGroupSite
from portal.people.models import Site


def guess_site(group: str, sites: list[Site]) -> Site | None:
    """A site named as the group, else the one whose name or code the group contains (the
    longest such name wins: "Hamburg HQ" over "Hamburg"), else one whose name contains it."""
    wanted = group.strip().casefold()
    if not wanted:
        return None
    for site in sites:
        if site.name.casefold() == wanted:
            return site
    inside = [
        (len(site.name), site)
        for site in sites
        if site.name.casefold() in wanted or _code_word(site.code, wanted)
    ]
    if inside:
        return max(inside, key=lambda pair: pair[0])[1]
    around = [site for site in sites if wanted in site.name.casefold()]
    return around[0] if len(around) == 1 else None


def _code_word(code: str, text: str) -> bool:
    """A site code counts only as a whole word ("HAM" in "HAM doors", not in "Hamlet")."""
    words = text.replace("-", " ").replace("_", " ").split()
    return code.casefold() in words


def sites_for_groups(account, groups: Iterable[str]) -> dict[str, int | None]:
    """group → site id for the account, creating guessed mappings for groups seen first now."""
    wanted = {g for g in groups if g}
    if not wanted:
        return {}
    known = {
        m.group: m.site_id for m in DoorGroupSite.objects.filter(account=account, group__in=wanted)
    }
    missing = wanted - set(known)
    if missing:
        sites = list(Site.objects.all())
        new = []
        for group in sorted(missing):
            site = guess_site(group, sites)
            new.append(DoorGroupSite(account=account, group=group, site=site, guessed=True))
            known[group] = site.pk if site else None
        DoorGroupSite.objects.bulk_create(new, ignore_conflicts=True)
    return known


def apply_mapping(mapping: DoorGroupSite) -> int:
    """Move the group's doors (and their devices) to the mapping's site now."""
    doors = Door.objects.filter(account_id=mapping.account_id, group=mapping.group)
    moved = doors.exclude(site_id=mapping.site_id).update(
        site_id=mapping.site_id, changed_at=timezone.now()
    )
    place_devices_of(doors)
    return moved


def place_devices_of(doors) -> None:
    """A controller or lock sits where its door is: BioStar and WorkTime give devices no site."""
    by_site: dict[int | None, set[int]] = {}
    for device_id, site_id in doors.filter(device__isnull=False).values_list(
        "device_id", "site_id"
    ):
        by_site.setdefault(site_id, set()).add(device_id)
    for site_id, device_ids in by_site.items():
        Device.objects.filter(pk__in=device_ids).exclude(site_id=site_id).update(site_id=site_id)


def choose_site(mapping: DoorGroupSite, site: Site | None) -> DoorGroupSite:
    """A person's choice: stored as no longer guessed, applied to the doors at once."""
    mapping.site = site
    mapping.guessed = False
    mapping.save(update_fields=["site", "guessed"])
    apply_mapping(mapping)
    return mapping
