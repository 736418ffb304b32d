"""Devices (door controllers and readers): list, get and the v2 search."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env
from connectors.biostar.simulator.state import DEVICE_TYPES, Device
from connectors.biostar.simulator.users import parse_order


class DeviceRoutes:
    def render_device(self, device: Device) -> dict[str, Any]:
        device_type = DEVICE_TYPES[device.device_type_id]
        return {
            "id": str(device.id),
            "name": device.name,
            "device_type_id": {"id": str(device_type.id), "name": device_type.name},
            "status": str(device.status),
            "device_group_id": {"id": str(device.device_group_id), "name": "All Devices"},
            "lan": {
                "enable_dhcp": "false",
                "ip": device.ip,
                "device_port": "51211",
                "connection_mode": "0",
            },
        }

    def _device_acks(self) -> list[dict[str, str]]:
        """What a change pushed to every device answers: one row per device, code "0"."""
        return [{"id": str(d), "code": "0"} for d in sorted(self.devices)]

    def _ordered_devices(self, order_by: str | None) -> list[Device]:
        column, descending = parse_order(order_by, {"id", "name"}, "id")
        key = (lambda d: (d.name, d.id)) if column == "name" else (lambda d: d.id)
        return sorted(self.devices.values(), key=key, reverse=descending)

    def list_devices(self, request: Request) -> Response:
        rows = [self.render_device(d) for d in self._ordered_devices(None)]
        return self.respond(env.ok(DeviceCollection=env.collection(rows)))

    def get_device(self, request: Request, device_id: str) -> Response:
        device = self.devices.get(env.parse_int(device_id, "device id"))
        if device is None:
            raise env.not_found(f"Device {device_id} does not exist.")
        return self.respond(env.ok(Device=self.render_device(device)))

    def search_devices_v2(self, request: Request) -> Response:
        if self.quirks.no_device_search:
            return self.not_found(request)
        body = env.read_json(request)
        limit = env.parse_int(body.get("limit", 0), "limit")
        excluded = body.get("exclude_device_type_id")
        if excluded not in (None, ""):
            excluded = env.parse_int(excluded, "exclude_device_type_id")
        devices = [
            d for d in self._ordered_devices(body.get("order_by")) if d.device_type_id != excluded
        ]
        rows = [self.render_device(d) for d in devices[: limit or None]]
        collection: dict[str, Any] = {"total": str(len(devices)), "rows": rows}
        if self.quirks.v2_integers:
            collection = env.to_v2(collection)
        return self.respond(env.ok(DeviceCollection=collection))
