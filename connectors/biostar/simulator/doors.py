"""Doors: list/get/search, live status, operator commands, and the door state machine the clock
drives (momentary unlock and relock, manual lock/unlock until release, forced/held-open alarms).

Commands take ``{"DoorCollection": {"rows": [{"id": ...}]}}`` at ``POST /api/doors/<command>``;
``/api/doors/{id}/open`` is not an endpoint.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env
from connectors.biostar.simulator import eventlog as ev
from connectors.biostar.simulator.state import (
    ALARM_CODE_FORCED,
    ALARM_CODE_HELD,
    ALARM_FORCED,
    ALARM_HELD,
    STATUS_DISCONNECTED,
    STATUS_FORCED,
    STATUS_HELD,
    STATUS_HELD_BY,
    STATUS_LOCKED,
    STATUS_UNLOCKED,
    Door,
)
from connectors.biostar.simulator.users import parse_order

COMMANDS = ("open", "lock", "unlock", "release", "clear_alarm")


class DoorRoutes:
    # -- rendering --------------------------------------------------------------------------
    def _device_ref(self, device_id: int) -> dict[str, str]:
        device = self.devices.get(device_id)
        ref = {"id": str(device_id)}
        if device is not None:
            ref["name"] = device.name
        return ref

    def render_door(self, door: Door) -> dict[str, Any]:
        device = self._device_ref(door.device_id)
        row: dict[str, Any] = {"id": str(door.id), "name": door.name}
        if door.description:
            row["description"] = door.description
        row.update(
            door_group_id={
                "id": str(door.door_group_id),
                "name": self.door_groups.get(door.door_group_id, "All Doors"),
            },
            open_timeout=str(door.open_timeout),
            open_duration=str(door.open_duration),
            open_once="false",
            unconditional_lock="false",
            entry_device_id=device,
            relay_output_id={"device_id": device, "relay_index": "0"},
            exit_button_input_id={"device_id": device, "input_index": "0", "type": "1"},
            sensor_input_id={
                "device_id": device,
                "input_index": "1",
                "type": "1",
                "apb_use_door_sensor": "1",
            },
        )
        return row

    def render_door_status(self, door: Door, now: float) -> dict[str, Any]:
        """A ``DoorStatusCollection`` row exactly as real servers send it: ``status`` and
        ``alarm`` are bit masks as text, ``alarm`` = ``status`` OR the alarm code."""
        device = self.devices.get(door.device_id)
        held = door.held_by()
        if held is not None:
            bits = STATUS_HELD_BY[held]
        else:
            bits = STATUS_UNLOCKED if door.unlocked(now) else STATUS_LOCKED
        code = 0
        if not self.quirks.status_without_alarms:  # some builds never report these here
            if door.alarm_flags & ALARM_FORCED:
                bits, code = bits | STATUS_FORCED, code | ALARM_CODE_FORCED
            if door.alarm_flags & ALARM_HELD:
                bits, code = bits | STATUS_HELD, code | ALARM_CODE_HELD
        if device is None or device.status != 1:
            bits |= STATUS_DISCONNECTED
        return {
            "door_id": {"id": str(door.id)},
            "opened": env.bstr(door.opened(now)),
            "unlocked": env.bstr(door.unlocked(now)),
            "last_open_time": str(door.last_open_time),  # epoch seconds, as a string
            "status": str(bits),
            "alarm": str(bits | code),
        }

    # -- reads ------------------------------------------------------------------------------
    def find_door(self, door_id: Any) -> Door:
        door = self.doors.get(env.parse_int(door_id, "door id"))
        if door is None:
            raise env.not_found(f"Door {door_id} does not exist.")
        return door

    def _ordered_doors(self, order_by: str | None) -> list[Door]:
        column, descending = parse_order(order_by, {"id", "name", "door_group_id.name"}, "id")
        key = (lambda d: (d.name, d.id)) if column == "name" else (lambda d: d.id)
        return sorted(self.doors.values(), key=key, reverse=descending)

    def list_doors(self, request: Request) -> Response:
        limit = env.parse_int(request.args.get("limit", 0), "limit")
        offset = env.parse_int(request.args.get("offset", 0), "offset")
        doors = self._ordered_doors(request.args.get("order_by"))
        rows = [self.render_door(d) for d in doors[offset : offset + limit if limit else None]]
        return self.respond(env.ok(DoorCollection=env.collection(rows, len(doors))))

    def get_door(self, request: Request, door_id: str) -> Response:
        return self.respond(env.ok(Door=self.render_door(self.find_door(door_id))))

    def search_doors_v2(self, request: Request) -> Response:
        body = env.read_json(request)
        limit = env.parse_int(body.get("limit", 0), "limit")
        text = str(body.get("search_text") or "").lower()
        doors = [d for d in self._ordered_doors(body.get("order_by")) if text in d.name.lower()]
        rows = [self.render_door(d) for d in doors[: limit or None]]
        collection: dict[str, Any] = {"total": str(len(doors)), "rows": rows}
        if self.quirks.v2_integers:
            collection = env.to_v2(collection)
        return self.respond(env.ok(DoorCollection=collection))

    def door_status(self, request: Request) -> Response:
        env.read_json(request, required=False)
        now = self.clock.now().timestamp()
        rows = [self.render_door_status(self.doors[d], now) for d in sorted(self.doors)]
        return self.respond(env.ok(DoorStatusCollection=env.collection(rows)))

    # -- commands ---------------------------------------------------------------------------
    def door_command(self, request: Request, command: str) -> Response:
        if command not in COMMANDS:
            raise env.not_found(f"/api/doors/{command} is not an endpoint.")
        body = env.read_json(request)
        rows = env.as_list((body.get("DoorCollection") or {}).get("rows"))
        if not rows:
            raise env.invalid('Send {"DoorCollection": {"rows": [{"id": <door id>}]}}.')
        doors = [self.find_door(env.ref_id(row)) for row in rows]
        now = self.clock.now().timestamp()
        if command == "open":
            held = [d.id for d in doors if d.manual is not None]
            if held:
                raise env.invalid(
                    f"Door(s) {held} are manually locked or unlocked: release them before opening."
                )
        for door in doors:
            self.apply_command(door, command, now)
        acks = [{"id": str(d.device_id), "code": "0"} for d in doors]
        return self.respond(env.ok(DeviceResponse={"rows": acks, "result": "true"}))

    def apply_command(self, door: Door, command: str, now: float) -> None:
        if command == "open":  # momentary: the relay relocks by itself after open_duration
            door.relay_until = now + door.open_duration
        elif command == "unlock":
            door.manual = "unlock"
        elif command == "lock":
            door.manual, door.relay_until = "lock", 0.0
        elif command == "release":
            door.manual = None
        elif command == "clear_alarm":
            self.clear_alarms(door, now)

    def clear_alarms(self, door: Door, now: float) -> None:
        ts_ms = int(now * 1000)
        if door.alarm_flags & ALARM_FORCED:
            self.log_event(ts_ms, door, "", ev.DOOR_FORCED_OPEN_ALARM_CLEAR)
        if door.alarm_flags & ALARM_HELD:
            self.log_event(ts_ms, door, "", ev.DOOR_HELD_OPEN_ALARM_CLEAR)
        door.alarm_flags = 0

    # -- the world: what happens at a door when someone (or something) acts on it -----------
    def log_event(self, ts_ms: int, door: Door, user_id: str, code: int, tna_key: int = 0) -> None:
        self.events.append((ts_ms, door.device_id, door.id, user_id, code, tna_key))

    def attempt_access(
        self, ts_ms: int, door: Door, user_id: str, tna_key: int, hold: bool
    ) -> None:
        """Someone presents a credential. Granted: relay unlocks for open_duration and the door
        opens (and, with ``hold``, stays open past open_timeout)."""
        now = ts_ms / 1000
        user = self.users.get(user_id)
        device = self.devices.get(door.device_id)
        if user is None:
            self.log_event(ts_ms, door, "", ev.IDENTIFY_FAIL_FACE)
            return
        if door.manual == "lock" or not self.may_pass(user, door, now):
            self.log_event(ts_ms, door, user_id, ev.ACCESS_DENIED)
            return
        face = device is not None and device.device_type_id in (29, 35)
        code = ev.IDENTIFY_SUCCESS_FACE if face else ev.VERIFY_SUCCESS_CARD
        self.log_event(ts_ms, door, user_id, code, tna_key)
        door.relay_until = max(door.relay_until, now + door.open_duration)
        door.open_from = now
        door.open_until = now + (door.open_timeout + 90 if hold else 4)
        door.last_open_time = int(now)

    def force_open(self, ts_ms: int, door: Door) -> None:
        now = ts_ms / 1000
        if door.unlocked(now) or door.opened(now):
            return  # an unlocked or already open door cannot be forced
        door.open_from, door.open_until, door.last_open_time = now, now + 15, int(now)
        door.alarm_flags |= ALARM_FORCED
        self.log_event(ts_ms, door, "", ev.DOOR_FORCED_OPEN)
        self.log_event(ts_ms, door, "", ev.DOOR_FORCED_OPEN_ALARM)

    def check_held_open(self, ts_ms: int, door: Door) -> None:
        now = ts_ms / 1000
        if door.opened(now) and now - door.open_from >= door.open_timeout:
            door.alarm_flags |= ALARM_HELD
            self.log_event(ts_ms, door, "", ev.DOOR_HELD_OPEN)
            self.log_event(ts_ms, door, "", ev.DOOR_HELD_OPEN_ALARM)

    def may_pass(self, user, door: Door, now: float) -> bool:
        if user.disabled:
            return False
        if not user.start_datetime.timestamp() <= now <= user.expiry_datetime.timestamp():
            return False
        return door.id in self.doors_of(user)

    def doors_of(self, user) -> frozenset[int]:
        """Doors a user may open: via AGs naming the user or the user's group (or a parent)."""
        cache = self._door_access_cache
        if cache.get("version") != self.change_counter:
            cache.clear()
            cache["version"] = self.change_counter
        found = cache.get(user.user_id)
        if found is None:
            lineage, group_id = set(), user.user_group_id
            while group_id is not None and group_id in self.user_groups and group_id not in lineage:
                lineage.add(group_id)
                group_id = self.user_groups[group_id].parent_id
            doors: set[int] = set()
            for group in self.access_groups.values():
                if user.user_id in group.user_ids or lineage.intersection(group.user_group_ids):
                    for level_id in group.access_level_ids:
                        level = self.access_levels.get(level_id)
                        if level is not None:
                            doors.update(level.door_ids)
            found = cache[user.user_id] = frozenset(doors)
        return found
