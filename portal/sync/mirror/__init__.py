"""Mirror writers: canonical records from a connector → rows of the portal's apps.

One writer per stream. Writers work a page at a time (punches: a pull's batch of pages) with a
fixed number of queries each, write nothing for a record that did not change, and never create outbox messages (a pull must not
echo vendor changes back to vendors).
"""

from portal.sync.mirror.access_groups import AccessGroupWriter
from portal.sync.mirror.attendance import LockEventWriter, PunchWriter, TimeCardWriter
from portal.sync.mirror.base import MirrorWriter
from portal.sync.mirror.devices import DeviceWriter
from portal.sync.mirror.doors import DoorEventWriter, DoorWriter
from portal.sync.mirror.people import PersonWriter
from portal.sync.mirror.reference import DepartmentWriter, PositionWriter, SiteWriter

WRITERS: dict[str, type[MirrorWriter]] = {
    "people": PersonWriter,
    "departments": DepartmentWriter,
    "positions": PositionWriter,
    "sites": SiteWriter,
    "access_groups": AccessGroupWriter,
    "devices": DeviceWriter,
    "doors": DoorWriter,
    "door_state": DoorWriter,
    "door_events": DoorEventWriter,
    "punches": PunchWriter,
    "time_cards": TimeCardWriter,
    "lock_events": LockEventWriter,
}


def writer_for(stream: str) -> type[MirrorWriter]:
    try:
        return WRITERS[stream]
    except KeyError:
        raise ValueError(f"No mirror for stream {stream!r}") from None
