"""The demo logins ``make run`` creates, one per role, and the people behind them."""

from dataclasses import dataclass

from portal.core import roles


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    first_name: str
    last_name: str
    groups: tuple[str, ...]
    description: str
    is_staff: bool = False
    is_superuser: bool = False


DEMO_USERS = (
    DemoUser(
        "admin",
        "workgate-admin",
        "Ada",
        "Admin",
        (roles.ADMINISTRATOR,),
        "Administrator: everything, vendor accounts, admin site",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser("hr", "workgate-hr", "Hanna", "Hinrichs", (roles.HR,), "HR: people"),
    DemoUser(
        "security",
        "workgate-security",
        "Sven",
        "Schulz",
        (roles.SECURITY_DESK, roles.DOOR_CONTROL),
        "Security desk: door board, alarms and events, door commands and lockdowns",
    ),
    DemoUser(
        "guard",
        "workgate-guard",
        "Greta",
        "Gerdes",
        (roles.SECURITY_DESK,),
        "Security desk, watch only (no door-command permission)",
    ),
    DemoUser(
        "manager",
        "workgate-manager",
        "Milan",
        "Meyer",
        (roles.MANAGER,),
        "Manager: Ben Claussen, Bremen workshop (8 reports, a sub-team of 5): their timecards",
    ),
)
