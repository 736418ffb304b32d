"""``POST /api/events/search`` and ``GET /api/event_types``.

The query is ``{"Query": {"limit", "offset", "conditions": [{"column", "operator", "values"}],
"orders": [{"column", "descending"}]}}``. A ``datetime`` condition narrows the log by binary
search, so a window costs ``log n`` plus the page. Operator codes (the document's examples use
0, 2 and 3): 0 EQUAL, 1 NOT_EQUAL, 2 CONTAINS (any of the values), 3 BETWEEN (inclusive),
4 LIKE, 5 GREATER, 6 LESS.

Like the web client (which asks for ``limit: 51`` to show 50 and know if there are more), the
answer carries only ``rows``; ``total`` is added when the query asks ``"total": true``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env
from connectors.biostar.simulator import eventlog as ev

EQUAL, NOT_EQUAL, CONTAINS, BETWEEN, LIKE, GREATER, LESS = range(7)

# Column name (and its dotted alias) -> position in the event record.
_COLUMNS = {
    "device_id": 1, "device_id.id": 1,
    "door_id": 2, "door_id.id": 2,
    "user_id": 3, "user_id.user_id": 3,
    "event_type_id": 4, "event_type_id.code": 4,
    "tna_key": 5,
}  # fmt: skip
_TIME_COLUMNS = {"datetime", "server_datetime"}
_MAX_MS = 2**62


class EventRoutes:
    def render_event(self, index: int) -> dict[str, Any]:
        ts_ms, device_id, door_id, user_id, code, tna_key = self.events[index]
        moment = datetime.fromtimestamp(ts_ms / 1000, UTC)
        local = moment.astimezone(self.zone)
        offset = int(local.utcoffset().total_seconds()) // 60
        row: dict[str, Any] = {
            "id": str(self.events.row_number(index)),  # restarts at 1 every month
            "server_datetime": env.fmt_ts(local),  # server-local wall time, still ending in Z
            "datetime": env.fmt_ts(moment),  # left out by some builds (quirk)
            "device_id": self._device_ref(device_id),
            "event_type_id": {"code": str(code)},
            "is_dst": "1" if local.dst() else "0",
            "timezone": {
                "half": "1" if abs(offset) % 60 else "0",
                "hour": str(abs(offset) // 60),
                "negative": "1" if offset < 0 else "0",
            },
            "tna_key": str(tna_key),
        }
        door = self.doors.get(door_id)
        if door_id:
            row["door_id"] = {"id": str(door_id), **({"name": door.name} if door else {})}
        if self.quirks.server_datetime_only:
            del row["datetime"]
        if not user_id and self.quirks.anonymous_events:
            row["user_id"] = {"user_id": "0", "photo_exists": "false"}
        if user_id:
            user = self.users.get(user_id)
            row["user_id"] = {"user_id": user_id, "photo_exists": "false"}
            if user is not None:
                row["user_id"]["name"] = user.name
                group = self.user_groups.get(user.user_group_id)
                if group is not None:
                    row["user_group_id"] = {"id": str(group.id), "name": group.name}
        return row

    def search_events(self, request: Request) -> Response:
        query = env.read_json(request).get("Query")
        if not isinstance(query, dict):
            raise env.invalid('Send {"Query": {"limit", "conditions": [...], "orders": [...]}}.')
        limit = env.parse_int(query.get("limit", 0), "limit")
        offset = env.parse_int(query.get("offset", 0), "offset")
        if self.quirks.ignore_offset:  # undocumented for this call; some servers skip nothing
            offset = 0
        lo_ms, hi_ms, tests = 0, _MAX_MS, []
        for condition in env.as_list(query.get("conditions")):
            if not isinstance(condition, dict):
                raise env.invalid("Each condition is an object with column, operator and values.")
            column = str(condition.get("column") or "")
            operator = env.parse_int(condition.get("operator"), "operator")
            values = env.as_list(condition.get("values"))
            if not values:
                raise env.invalid(f"Condition on {column!r} has no values.")
            if column in _TIME_COLUMNS:
                lo_ms, hi_ms = self._narrow(column, operator, values, lo_ms, hi_ms)
            elif column in _COLUMNS:
                tests.append(_row_test(_COLUMNS[column], operator, values))
            else:
                raise env.invalid(f"Events cannot be searched by column {column!r}.")
        descending = False
        for order in env.as_list(query.get("orders"))[:1]:
            if str(order.get("column")) not in (*_TIME_COLUMNS, "id"):
                raise env.invalid(f"Events cannot be ordered by {order.get('column')!r}.")
            descending = env.truthy(order.get("descending", False))
        start, end = self.events.bisect_left(lo_ms), self.events.bisect_right(hi_ms)
        indices = range(end - 1, start - 1, -1) if descending else range(start, end)
        page, skipped, matched_total = [], 0, 0
        want_total = env.truthy(query.get("total", False))
        for index in indices:
            record = self.events[index] if tests else None
            if tests and not all(test(record) for test in tests):
                continue
            matched_total += 1
            if skipped < offset:
                skipped += 1
            elif not limit or len(page) < limit:
                page.append(index)
            elif not want_total:
                break
        collection: dict[str, Any] = {"rows": [self.render_event(i) for i in page]}
        if want_total:
            collection = {"total": str(matched_total), **collection}
        return self.respond(env.ok(EventCollection=collection))

    def _narrow(
        self, column: str, operator: int, values: list, lo: int, hi: int
    ) -> tuple[int, int]:
        moments = [env.parse_ts(v, column) for v in values]
        if column == "server_datetime":  # local wall time written with a Z: read it as local
            moments = [m.replace(tzinfo=None).replace(tzinfo=self.zone) for m in moments]
        bounds = [int(moment.timestamp() * 1000) for moment in moments]
        if operator == BETWEEN:
            if len(bounds) < 2:
                raise env.invalid("BETWEEN needs two values.")
            return max(lo, bounds[0]), min(hi, bounds[1])
        if operator == EQUAL:
            return max(lo, bounds[0]), min(hi, bounds[0])
        if operator == GREATER:
            return max(lo, bounds[0] + 1), hi
        if operator == LESS:
            return lo, min(hi, bounds[0] - 1)
        raise env.invalid(f"Operator {operator} cannot be used on {column}.")

    def list_event_types(self, request: Request) -> Response:
        rows = [
            {
                "code": str(code),
                "name": name,
                "description": description,
                "alertable": env.bstr(code in ev.ALERTABLE),
                "enable_alert": env.bstr(code in ev.ALERTABLE),
            }
            for code, (name, description) in sorted(ev.EVENT_TYPES.items())
        ]
        return self.respond(env.ok(EventTypeCollection=env.collection(rows)))


def _row_test(position: int, operator: int, values: list) -> Callable[[tuple], bool]:
    wanted = [str(v.get("id") if isinstance(v, dict) else v) for v in values]
    if operator in (EQUAL, CONTAINS):
        allowed = set(wanted)
        return lambda record: str(record[position]) in allowed
    if operator == NOT_EQUAL:
        refused = set(wanted)
        return lambda record: str(record[position]) not in refused
    if operator == LIKE:
        return lambda record: wanted[0] in str(record[position])
    if operator in (GREATER, LESS):
        bound = float(wanted[0])
        if operator == GREATER:
            return lambda record: float(record[position] or 0) > bound
        return lambda record: float(record[position] or 0) < bound
    raise env.invalid(f"Operator {operator} is not one of 0-6.")
