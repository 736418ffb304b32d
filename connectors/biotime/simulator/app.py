"""``BioTimeSimulator``: the HTTP face of a ZKTeco BioTime 9.5 server (a Django/DRF app).

Request flow, in the order the real server applies it: the web UI's catch-all or Django's slash
redirect, then authentication (401), then the licence check (403), then the view (405, 400, 404).
"""

from __future__ import annotations

import functools
import heapq
import json
import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.biotime.simulator import pages
from connectors.biotime.simulator import seed as seeding
from connectors.biotime.simulator.activity import DemoActivity, RealPunch, device_times
from connectors.biotime.simulator.auth import Authenticator, AuthFailed, Principal
from connectors.biotime.simulator.directory import ApiError, Directory, not_found
from connectors.biotime.simulator.filters import RowFilter, parse_local_time
from connectors.biotime.simulator.paging import paginate
from connectors.biotime.simulator.quirks import BioTimeFaults, BioTimeQuirks
from connectors.biotime.simulator.records import TREE_KINDS
from connectors.biotime.simulator.render import (
    employee_body,
    node_body,
    resign_body,
    terminal_body,
    transaction_body,
)
from connectors.biotime.simulator.transactions import GeneratedSegment, Punch, TransactionStore
from connectors.simkit.base import Simulator, json_response
from connectors.simkit.clock import SimClock
from connectors.simkit.faults import Faults

LOGIN_ENDPOINTS = {"login_jwt", "login_token", "staff_login_jwt", "staff_login_token"}
RESIGN_ENDPOINTS = {"resign_list", "resign_item", "reinstatement"}
LICENCE_MISSING = (
    "The API module is not included in this server's license. "
    "Please contact ZKTeco to activate the API license."
)
FORBIDDEN = "You do not have permission to perform this action."
DEFAULT_USERS = {"admin": "Nordhafen#2024"}


def api(handler):
    """Turn ApiError raised inside a handler into its JSON answer."""

    @functools.wraps(handler)
    def wrapper(self, request, **values):
        try:
            return handler(self, request, **values)
        except ApiError as error:
            return json_response(error.body, error.status)

    return wrapper


class BioTimeSimulator(Simulator):
    """A BioTime 9.5 server. ``quirks`` picks the build's oddities, ``vendor_faults`` injects
    BioTime-specific faults on top of the kit's ``faults``. Build one with :meth:`demo` or
    :meth:`large`; the bare constructor gives an empty server (default department and area)."""

    name = "biotime"
    default_page_size = 10
    max_page_size = 10_000

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        seed: int = 1,
        quirks: BioTimeQuirks | None = None,
        time_zone: str = "Europe/Berlin",
        jwt_lifetime: timedelta = timedelta(minutes=5),
        users: dict[str, str] | None = None,
        directory: Directory | None = None,
        generated: GeneratedSegment | None = None,
    ):
        super().__init__(clock=clock, faults=faults, seed=seed)
        self.quirks = quirks or BioTimeQuirks()
        self.vendor_faults = BioTimeFaults()
        self.tz = ZoneInfo(time_zone)
        self.users = dict(users or DEFAULT_USERS)
        self.directory = directory or _empty_directory()
        self.transactions = TransactionStore(generated)
        self.activity: DemoActivity | None = None
        self.auth = Authenticator(
            self.clock,
            users=self.users,
            staff_lookup=self.directory.staff_login,
            jwt_lifetime=jwt_lifetime,
            seed=seed,
        )
        self._pending: list[tuple[int, int, RealPunch, int]] = []  # uploads still on devices
        self._pending_seq = 0
        self._last_tick_ts = int(self.clock.now().timestamp())
        self._last_request_at = None
        self._idle_lock = threading.Lock()

    # -- builders -----------------------------------------------------------------------------
    @classmethod
    def demo(cls, clock: SimClock | None = None, faults: Faults | None = None, **kwargs):
        """The demo company's BioTime: its people, departments, positions, the three sites as
        areas with two or three terminals each, and 30 days of punches ending now."""
        return seeding.build_demo(cls, clock=clock, faults=faults, **kwargs)

    @classmethod
    def large(
        cls,
        employees: int = 10_000,
        transactions: int = 1_000_000,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        **kwargs,
    ):
        """A big server for benchmarks: ``employees`` held as rows, ``transactions`` generated
        from their index on demand (nothing per punch is held in memory)."""
        return seeding.build_large(
            cls,
            employees=employees,
            transactions=transactions,
            clock=clock,
            faults=faults,
            **kwargs,
        )

    # -- world --------------------------------------------------------------------------------
    def credentials(self) -> dict[str, str]:
        username, password = next(iter(self.users.items()))
        found = {"username": username, "password": password}
        ids = self.directory.active_employee_ids()
        if ids:
            found["staff_username"] = self.directory.employees[ids[0]].emp_code
            found["staff_password"] = self.directory.staff_login(found["staff_username"])[1]
        return found

    def tick(self) -> None:
        now_ts = int(self.clock.now().timestamp())
        if now_ts <= self._last_tick_ts:
            return
        if self.activity is not None:
            for punch in self.activity.punches_between(self._last_tick_ts, now_ts):
                self._queue(punch)
        self._last_tick_ts = now_ts
        self._flush_uploads(now_ts)

    def start_activity(self, activity: DemoActivity, history: timedelta) -> None:
        """Let ``activity`` drive the terminals, with ``history`` of it already uploaded."""
        self.activity = activity
        self._last_tick_ts = int((self.clock.now() - history).timestamp())
        with self.lock:
            self.tick()

    def add_punch(
        self,
        emp_code: str,
        *,
        terminal_id: int,
        state: int = 0,
        at_ts: int | None = None,
        verify_type: int = 15,
        upload_delay: int | None = None,
    ) -> None:
        """Someone punches at ``at_ts`` (default now); the device uploads it as it would, or
        ``upload_delay`` seconds later. It appears in the list once the clock reaches that."""
        at_ts = int(self.clock.now().timestamp()) if at_ts is None else at_ts
        punch = RealPunch(at_ts, emp_code, state, terminal_id, verify_type, 365)
        with self.lock:
            self._queue(punch, upload_delay=upload_delay)
            self._flush_uploads(int(self.clock.now().timestamp()))

    def _queue(self, punch: RealPunch, upload_delay: int | None = None) -> None:
        terminal = self.directory.terminals[punch.terminal_id]
        punch_ts, upload_ts = device_times(terminal, punch.real_ts, self.tz, self.seed)
        if upload_delay is not None:
            upload_ts = punch.real_ts + upload_delay
        self._pending_seq += 1
        heapq.heappush(self._pending, (upload_ts, self._pending_seq, punch, punch_ts))

    def _flush_uploads(self, now_ts: int) -> None:
        while self._pending and self._pending[0][0] <= now_ts:
            upload_ts, _, punch, punch_ts = heapq.heappop(self._pending)
            employee = self.directory.employee_by_code(punch.emp_code)
            self.transactions.append(
                Punch(
                    upload_ts,
                    punch_ts,
                    punch.emp_code,
                    employee.id if employee else None,
                    punch.terminal_id,
                    punch.state,
                    punch.verify_type,
                    punch.temperature,
                )
            )

    def take_offline(self, terminal_id: int, start_ts: int, end_ts: int) -> None:
        """The terminal loses its network from ``start_ts`` to ``end_ts`` (epoch seconds): the
        punches made meanwhile upload when it is back, however long that takes."""
        terminal = self.directory.terminals[terminal_id]
        with self.lock:
            terminal.offline_spans = (*terminal.offline_spans, (start_ts, end_ts))

    def pending_uploads(self, terminal_id: int | None = None) -> int:
        """Punches made but not uploaded yet (on an offline device, or seconds from arriving)."""
        return sum(
            1 for _, _, punch, _ in self._pending if terminal_id in (None, punch.terminal_id)
        )

    def revoke_tokens(self) -> None:
        with self.lock:
            self.auth.revoke_all()

    # -- request pipeline ---------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        self._maybe_slow_after_idle()
        return super().dispatch(request)

    def _maybe_slow_after_idle(self) -> None:
        now = self.clock.now()
        with self._idle_lock:
            last, self._last_request_at = self._last_request_at, now
        delay = self.quirks.slow_first_request_seconds
        if delay > 0 and (
            last is None or (now - last).total_seconds() >= self.quirks.idle_threshold_seconds
        ):
            time.sleep(delay)  # outside the lock: a cold server is slow, not frozen

    def before_request(self, request: Request) -> Response | None:
        if self.vendor_faults.take("html_200"):
            return pages.web_ui()
        path = request.path
        if path in ("/", "/login/"):
            return pages.web_ui()
        adapter = self.url_map.bind_to_environ(request.environ)
        if not path.endswith("/"):
            return self._missing_slash(request, adapter)
        try:
            endpoint, _ = adapter.match()
        except MethodNotAllowed as exc:  # exists; DRF answers 405 only after authentication
            endpoint, _ = adapter.match(method=exc.valid_methods[0])
        except NotFound:
            return self.not_found(request)
        except HTTPException:
            return None
        if endpoint in LOGIN_ENDPOINTS:
            return None
        if endpoint in RESIGN_ENDPOINTS and self.quirks.no_resign_endpoints:
            return self.not_found(request)  # URL resolution comes before authentication
        try:
            principal = self.auth.authenticate(request.headers.get("Authorization"))
            if self.vendor_faults.count_down_revocation():
                self.auth.revoke_all()
                principal = self.auth.authenticate(request.headers.get("Authorization"))
        except AuthFailed as failed:
            challenge = {"WWW-Authenticate": 'JWT realm="api"'}
            return json_response(failed.body, failed.status, challenge)
        if self.vendor_faults.licence_missing:
            return json_response({"detail": LICENCE_MISSING}, 403)
        own_punches = endpoint == "transaction_list" and request.method == "GET"
        if principal.kind == "staff" and not own_punches:
            return json_response({"detail": FORBIDDEN}, 403)
        request.environ["biotime.principal"] = principal
        return None

    def _missing_slash(self, request: Request, adapter) -> Response:
        """Django's APPEND_SLASH: 301 to the slashed path, unless the web UI catches it first."""
        if self.quirks.html_for_unknown_paths:
            return pages.web_ui()
        try:
            adapter.match(path_info=request.path + "/")
        except MethodNotAllowed:
            pass
        except HTTPException:
            return self.not_found(request)
        query = request.query_string.decode("latin-1")
        location = request.path + "/" + (f"?{query}" if query else "")
        return Response("", status=301, headers={"Location": location}, mimetype="text/html")

    def not_found(self, request: Request) -> Response:
        if self.quirks.html_for_unknown_paths:
            return pages.web_ui()
        return pages.django_not_found()

    # -- routes -------------------------------------------------------------------------------
    def routes(self):
        rules = [
            Rule("/jwt-api-token-auth/", endpoint="login_jwt", methods=["POST"]),
            Rule("/api-token-auth/", endpoint="login_token", methods=["POST"]),
            Rule("/staff-jwt-api-token-auth/", endpoint="staff_login_jwt", methods=["POST"]),
            Rule("/staff-api-token-auth/", endpoint="staff_login_token", methods=["POST"]),
            Rule("/iclock/api/terminals/", endpoint="terminal_list", methods=["GET"]),
            Rule("/iclock/api/terminals/<pk>/", endpoint="terminal_detail", methods=["GET"]),
            Rule("/iclock/api/transactions/", endpoint="transaction_list", methods=["GET"]),
            Rule("/iclock/api/transactions/<pk>/", endpoint="transaction_detail", methods=["GET"]),
            Rule("/personnel/api/employees/", endpoint="employee_list", methods=["GET", "POST"]),
            Rule(
                "/personnel/api/employees/<pk>/",
                endpoint="employee_item",
                methods=["GET", "PUT", "PATCH", "DELETE"],
            ),
            Rule("/personnel/api/resigns/", endpoint="resign_list", methods=["GET", "POST"]),
            Rule(
                "/personnel/api/resigns/reinstatement/", endpoint="reinstatement", methods=["POST"]
            ),
            Rule(
                "/personnel/api/resigns/<pk>/",
                endpoint="resign_item",
                methods=["GET", "PUT", "PATCH", "DELETE"],
            ),
        ]
        for kind in TREE_KINDS:
            rules.append(
                Rule(
                    f"/personnel/api/{kind}/",
                    endpoint="node_list",
                    methods=["GET", "POST"],
                    defaults={"kind": kind},
                )
            )
            rules.append(
                Rule(
                    f"/personnel/api/{kind}/<pk>/",
                    endpoint="node_item",
                    methods=["GET", "PUT", "PATCH", "DELETE"],
                    defaults={"kind": kind},
                )
            )
        return rules

    # -- helpers ------------------------------------------------------------------------------
    def _page(self, request: Request, total: int, fetch) -> Response:
        body = paginate(
            request,
            total,
            fetch,
            quirks=self.quirks,
            faults=self.vendor_faults,
            default_size=self.default_page_size,
            max_size=self.max_page_size,
        )
        self.charge(request, len(body["data"]))
        return json_response(body)

    def _list(self, request: Request, rows: list, render) -> Response:
        def fetch(offset: int, size: int) -> list[dict]:
            return [render(row) for row in rows[offset : offset + size]]

        return self._page(request, len(rows), fetch)

    @staticmethod
    def _body(request: Request) -> dict:
        raw = request.get_data(cache=True)
        mimetype = request.mimetype
        if mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return {
                key: values if key in ("area", "resigns", "flow_role") else values[0]
                for key, values in request.form.lists()
            }
        if not raw.strip():
            return {}
        if mimetype not in ("application/json", ""):
            detail = f'Unsupported media type "{request.content_type}" in request.'
            raise ApiError(415, {"detail": detail})
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ApiError(400, {"detail": f"JSON parse error - {exc}"}) from None
        if not isinstance(data, dict):
            kind = type(data).__name__
            raise ApiError(
                400, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {kind}."]}
            )
        return data

    def _today(self):
        return self.clock.now().astimezone(self.tz).date()

    # -- logins -------------------------------------------------------------------------------
    @api
    def _login(self, request: Request, *, staff: bool, jwt: bool) -> Response:
        try:
            return json_response(self.auth.login(self._body(request), staff=staff, jwt=jwt))
        except AuthFailed as failed:
            return json_response(failed.body, failed.status)

    def login_jwt(self, request):
        return self._login(request, staff=False, jwt=True)

    def login_token(self, request):
        return self._login(request, staff=False, jwt=False)

    def staff_login_jwt(self, request):
        return self._login(request, staff=True, jwt=True)

    def staff_login_token(self, request):
        return self._login(request, staff=True, jwt=False)

    # -- terminals ----------------------------------------------------------------------------
    def _terminal_renderer(self):
        now = self.clock.now()
        users_by_area: dict[int, int] = {}
        for pk in self.directory.active_employee_ids():
            for area_id in self.directory.employees[pk].area_ids:
                users_by_area[area_id] = users_by_area.get(area_id, 0) + 1

        def render(terminal):
            return terminal_body(
                terminal,
                self.directory,
                self.quirks,
                now=now,
                tz=self.tz,
                user_count=users_by_area.get(terminal.area_id, 0),
                transaction_count=self.transactions.count_for_terminal(terminal.id),
            )

        return render

    @api
    def terminal_list(self, request):
        d = self.directory
        rows = (
            RowFilter(request)
            .text("sn", lambda t: t.sn)
            .text("alias", lambda t: t.alias)
            .choice("area", lambda t: t.area_id, d.areas)
            .apply(d.terminals[pk] for pk in sorted(d.terminals))
        )
        state = request.args.get("state", "")
        if state:
            render = self._terminal_renderer()
            rows = [t for t in rows if str(render(t)["state"]) == state]
        return self._list(request, rows, self._terminal_renderer())

    @api
    def terminal_detail(self, request, pk):
        terminal = self.directory.get(self.directory.terminals, pk)
        return json_response(self._terminal_renderer()(terminal))

    # -- transactions -------------------------------------------------------------------------
    @api
    def transaction_list(self, request):
        d = self.directory
        emp_code = request.args.get("emp_code") or None
        principal: Principal = request.environ["biotime.principal"]
        if principal.kind == "staff":  # a staff token only sees its own punches
            me = d.employees.get(principal.user_id)
            own = me.emp_code if me else ""
            if emp_code not in (None, own):
                emp_code = "\x00none"
            emp_code = own if emp_code is None else emp_code
        terminal_ids = None
        sn, alias = request.args.get("terminal_sn"), request.args.get("terminal_alias")
        if sn or alias:
            terminal_ids = frozenset(
                t.id
                for t in d.terminals.values()
                if (not sn or t.sn == sn) and (not alias or t.alias == alias)
            )
        start = parse_local_time(request, "start_time", self.tz)
        end = parse_local_time(request, "end_time", self.tz)
        selection = self.transactions.select(emp_code, terminal_ids, start, end)

        def fetch(offset, size):
            return [
                transaction_body(tid, punch, d, self.quirks, self.tz)
                for tid, punch in selection.page(offset, size)
            ]

        return self._page(request, len(selection), fetch)

    @api
    def transaction_detail(self, request, pk):
        try:
            transaction_id = int(pk)
        except ValueError:
            raise not_found() from None
        punch = self.transactions.get(transaction_id)
        if punch is None:
            raise not_found()
        body = transaction_body(transaction_id, punch, self.directory, self.quirks, self.tz)
        return json_response(body)

    # -- employees ----------------------------------------------------------------------------
    @api
    def employee_list(self, request):
        d = self.directory
        if request.method == "POST":
            employee = d.create_employee(self._body(request), self._today())
            return json_response(employee_body(employee, d, self.quirks, nested=True), 201)
        rows = (
            RowFilter(request)
            .text("emp_code", lambda e: e.emp_code)
            .text("first_name", lambda e: e.first_name)
            .text("last_name", lambda e: e.last_name)
            .choice("department", lambda e: e.department_id, d.departments)
            .choice("areas", lambda e: e.area_ids, d.areas)
            .number("app_status", lambda e: e.app_status)
            .apply(d.employees_in(d.active_employee_ids()))
        )
        return self._list(request, rows, lambda e: employee_body(e, d, self.quirks, nested=True))

    @api
    def employee_item(self, request, pk):
        d = self.directory
        nested = not self.quirks.fk_ids_on_detail
        if request.method == "DELETE":
            d.delete_employee(pk)
            return Response(status=204)
        if request.method in ("PUT", "PATCH"):
            employee = d.update_employee(pk, self._body(request), partial=request.method == "PATCH")
        else:
            employee = d.get(d.employees, pk)
        return json_response(employee_body(employee, d, self.quirks, nested=nested))

    # -- resignations -------------------------------------------------------------------------
    @api
    def resign_list(self, request):
        d = self.directory
        if request.method == "POST":
            return json_response(resign_body(d.create_resign(self._body(request)), d), 201)
        rows = (
            RowFilter(request)
            .choice("employee", lambda r: r.employee_id, d.employees)
            .number("resign_type", lambda r: r.resign_type)
            .date("resign_date", lambda r: r.resign_date)
            .apply(d.resigns[pk] for pk in sorted(d.resigns))
        )
        return self._list(request, rows, lambda r: resign_body(r, d))

    @api
    def resign_item(self, request, pk):
        d = self.directory
        if request.method == "DELETE":
            d.delete_resign(pk)
            return Response(status=204)
        if request.method in ("PUT", "PATCH"):  # the document's PUT sends only changed fields
            return json_response(resign_body(d.update_resign(pk, self._body(request)), d))
        return json_response(resign_body(d.get(d.resigns, pk), d))

    @api
    def reinstatement(self, request):
        ids = self.directory.reinstate(self._body(request))
        return json_response({"msg": "", "code": 0, "data": {"resigns": ids}})

    # -- departments, areas, positions --------------------------------------------------------
    @api
    def node_list(self, request, kind):
        d = self.directory
        spec = TREE_KINDS[kind]
        if request.method == "POST":
            node = d.create_node(kind, self._body(request))
            return json_response(node_body(kind, node, d, written=True), 201)
        rows = d.tree(kind)
        selected = (
            RowFilter(request)
            .text(spec.code_key, lambda n: n.code)
            .text(spec.name_key, lambda n: n.name)
            .choice(spec.parent_key, lambda n: n.parent_id, rows)
            .apply(rows[pk] for pk in sorted(rows))
        )
        return self._list(request, selected, lambda n: node_body(kind, n, d))

    @api
    def node_item(self, request, kind, pk):
        d = self.directory
        if request.method == "DELETE":
            d.delete_node(kind, pk)
            return Response(status=204)
        if request.method in ("PUT", "PATCH"):
            node = d.update_node(kind, pk, self._body(request), partial=request.method == "PATCH")
            return json_response(node_body(kind, node, d, written=True))
        return json_response(node_body(kind, d.get(d.tree(kind), pk), d))


def _empty_directory() -> Directory:
    """What a fresh BioTime install holds: the default department and the default area."""
    directory = Directory()
    directory.add_node("departments", "1", "Department")
    directory.add_node("areas", "1", "Not Authorized")
    return directory
