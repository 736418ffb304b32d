"""The records a BioStar server holds, as plain dataclasses (rendered to wire shape elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_START = datetime(2001, 1, 1, tzinfo=UTC)
DEFAULT_EXPIRY = datetime(2030, 12, 31, 23, 59, tzinfo=UTC)  # the console's default for new users
ROOT_GROUP_ID = 1  # "All Users": the root user group every other group hangs under
ADMIN_USER_ID = "1"


@dataclass
class User:
    user_id: str
    name: str
    user_group_id: int = ROOT_GROUP_ID
    email: str = ""
    phone: str = ""
    department: str = ""
    user_title: str = ""
    disabled: bool = False
    start_datetime: datetime = DEFAULT_START
    expiry_datetime: datetime = DEFAULT_EXPIRY
    login_id: str = ""
    password: str = ""
    pin: str = ""
    permission_id: int | None = None  # operator level; None for plain users
    card_count: int = 0
    face_count: int = 0
    fingerprint_template_count: int = 0
    last_modified: int = 0  # server-wide change counter at this user's last change


@dataclass
class UserGroup:
    id: int
    name: str
    parent_id: int | None  # None only for the root "All Users"
    description: str = ""
    depth: int = 0


@dataclass
class AccessLevel:
    id: int
    name: str
    description: str = ""
    door_ids: list[int] = field(default_factory=list)
    schedule_id: int = 1  # "Always"


@dataclass
class AccessGroup:
    id: int
    name: str
    description: str = ""
    user_ids: set[str] = field(default_factory=set)  # direct members; users' AGs derive from it
    user_group_ids: list[int] = field(default_factory=list)
    access_level_ids: list[int] = field(default_factory=list)


@dataclass
class DeviceType:
    id: int
    name: str


DEVICE_TYPES = {
    29: DeviceType(29, "FaceStation F2"),
    32: DeviceType(32, "X-Station 2"),
    35: DeviceType(35, "BioStation 3"),
}


@dataclass
class Device:
    id: int
    name: str
    device_type_id: int
    ip: str
    device_group_id: int = 1
    status: int = 1  # 0 disconnected, 1 connected, 2 sync error
    site: str = ""


@dataclass
class Door:
    """A door and its live state. Times are epoch seconds (floats) of the simulated clock."""

    id: int
    name: str
    device_id: int
    description: str = ""
    door_group_id: int = 1
    open_duration: int = 3  # seconds the relay stays unlocked after an "open"/granted access
    open_timeout: int = 10  # seconds the door may stay open before "held open"
    site: str = ""
    manual: str | None = None  # "lock" | "unlock" while an operator holds the door
    emergency: str | None = None  # "lock" | "unlock" while an emergency (fire, lockdown) holds it
    schedule: str | None = None  # "lock" | "unlock" while a door schedule holds it
    relay_until: float = 0.0  # momentary unlock ends (door relocks) at this time
    open_from: float = 0.0  # the door leaf's last opening...
    open_until: float = 0.0  # ...and when it closed (or will close)
    last_open_time: int = 0
    alarm_flags: int = 0  # 1 forced open, 2 held open

    def held_by(self) -> tuple[str, str] | None:
        """Who holds the door locked or unlocked, strongest first: ``("operator", "unlock")``."""
        for holder, value in (
            ("emergency", self.emergency), ("operator", self.manual), ("schedule", self.schedule)
        ):  # fmt: skip
            if value is not None:
                return holder, value
        return None

    def unlocked(self, now: float) -> bool:
        held = self.held_by()
        if held is not None:
            return held[1] == "unlock"
        return now < self.relay_until

    def opened(self, now: float) -> bool:
        return self.open_from <= now < self.open_until


# The door's own alarm flags (what the console's "clear alarm" resets).
ALARM_FORCED = 1
ALARM_HELD = 2

# ``POST /api/doors/status``: ``status`` bits (vendor-quirks.md) and the ``alarm`` codes that
# ``alarm`` ORs onto them.
STATUS_LOCKED, STATUS_UNLOCKED, STATUS_FORCED, STATUS_HELD = 1, 2, 4, 8
STATUS_DISCONNECTED = 32
STATUS_HELD_BY = {  # (holder, lock or unlock) -> bit
    ("schedule", "lock"): 64, ("schedule", "unlock"): 128,
    ("emergency", "lock"): 256, ("emergency", "unlock"): 512,
    ("operator", "lock"): 1024, ("operator", "unlock"): 2048,
}  # fmt: skip
ALARM_CODE_HELD, ALARM_CODE_FORCED = 1, 2
