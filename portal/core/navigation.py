"""What the navigation offers, by permission: a person sees only what their role may use."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None  # None: every signed-in user
    section: str
    #: other paths the item's section holds (the organisation's three lists under /people/)
    also: tuple[str, ...] = ()


NAV_ITEMS = (
    NavItem("Dashboard", "core:dashboard", None, "dashboard"),
    NavItem("People", "people:person-list", "people.view_person", "people"),
    NavItem(
        "Organisation",
        "people:department-list",
        "people.change_department",
        "org",
        also=("/people/positions/", "/people/sites/"),
    ),
    NavItem("Offboardings", "people:offboarding-list", "people.view_offboarding", "offboardings"),
    NavItem("Doors", "doors:door-list", "doors.view_door", "doors"),
    NavItem("Devices", "devices:device-list", "devices.view_device", "devices"),
    NavItem("Timecards", "attendance:grid", "attendance.view_timecard", "attendance"),
    NavItem("Problems", "sync:problems", "people.change_person", "problems"),
    NavItem("Unmatched", "sync:unmatched-list", "people.change_person", "unmatched"),
    NavItem("Provisioning", "sync:rule-list", "sync.view_provisioningrule", "provisioning"),
    NavItem("Sync health", "sync:health", "sync.view_syncrun", "health"),
    NavItem("Vendor accounts", "sync:account-list", "sync.view_vendoraccount", "sync"),
    NavItem("Audit log", "core:audit-list", "core.view_auditentry", "audit"),
)


def items_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if item.permission is None or user.has_perm(item.permission)]
