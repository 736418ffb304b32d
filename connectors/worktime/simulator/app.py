"""The WorkTime One server: routes, Bearer-key auth with scopes, the hourly budget, handlers, and
the ``demo()``/``large()`` builders.

Endpoints (base path ``/v1``; no trailing slash — ``/v1/employees/`` is an unknown path, 404):

- ``GET    /v1/organization``
- ``GET    /v1/employees`` (``page``, ``limit`` default 50 max 100, ``department`` = department
  id, ``status`` active|inactive) with ``pagination: {page, limit, total}``
- ``POST   /v1/employees`` → 201; ``GET|PUT|DELETE /v1/employees/{id}`` (DELETE is a soft delete:
  the record stays with status ``inactive``; ``PUT {"status": "active"}`` restores it)
- ``GET    /v1/attendance`` (``employee_id``, ``start_date``, ``end_date``, ``lock_id``)
- ``POST   /v1/attendance/clock`` ``{employee_id, type: clock_in|clock_out, timestamp, lock_id,
  notes}`` → 201 with the attendance record
- ``GET    /v1/reports/payroll`` (``start_date``/``end_date`` required, ``employee_id``,
  ``format`` json|excel) and ``GET /v1/reports/attendance`` (same, plus ``department``)
- ``GET    /v1/locks``, ``GET /v1/locks/{id}``, ``GET /v1/locks/{id}/history`` (``start_date``,
  ``end_date``, ``employee_id``)

Not in the document but served because a client needs them: ``GET /v1/locks/{id}`` and the
history's date/employee filters. The document lists no lock commands and no webhook API
(webhooks are set up in the account settings): see :meth:`WorkTimeSimulator.register_webhook`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.simkit.base import Simulator
from connectors.simkit.clock import SimClock
from connectors.simkit.demo_company import COMPANY_NAME, TIME_ZONE, build_company
from connectors.simkit.faults import Faults
from connectors.worktime.simulator import activity
from connectors.worktime.simulator.access import FULL, PLANS, ApiKey, HourlyBudget, RateState
from connectors.worktime.simulator.attendance import Attendance, GeneratedAttendance
from connectors.worktime.simulator.directory import EmployeeDirectory
from connectors.worktime.simulator.endpoints import Endpoints
from connectors.worktime.simulator.envelope import PageRequest, error, ok, page_request
from connectors.worktime.simulator.lockhistory import LockHistory
from connectors.worktime.simulator.records import ACTIVE, Employee, SmartLock
from connectors.worktime.simulator.seed import (
    DEPARTMENT_LIST,
    demo_locks,
    demo_people,
    employee_from_person,
    generated_employees,
    shift_start_for,
)
from connectors.worktime.simulator.webhooks import WebhookDispatcher, WebhookRegistration
from connectors.worktime.simulator.world import SimulatedWorld

API = "/v1"
DEMO_KEY = "wt_live_4f9c2a7e1b3d8f60a5c7e9d1"
DEMO_WEBHOOK_SECRET = "whsec_demo_8b1e5d2f9a7c4630"
ANONYMOUS = "<anonymous>"  # the budget requests without a valid key are counted against
_RATE = "worktime.rate"


@dataclass
class WorkTimeQuirks:
    """Points the document leaves open, where servers (and server versions) differ.

    Everything the quirks file says WorkTime One always does is always on: Bearer keys with
    read / read-write / full scopes (403), ``X-RateLimit-*`` on every answer and 429 past the hourly
    budget, the ``{"success": false, "error": {code, message, field}}`` body, soft deletes.

    - ``soft_deleted_in_default_list``: a list without ``status`` includes soft-deleted
      (``inactive``) employees; off: only ``status=inactive`` shows them.
    - ``paginate_beyond_employees``: attendance, locks and lock history take ``page``/``limit`` and
      answer a ``pagination`` block like employees; off: they answer everything that matches in
      one ``data`` array with no ``pagination`` (as the document's examples show them).
    - ``clamp_limit``: ``limit`` over 100 is served as 100 (and ``pagination.limit`` says 100);
      off: 400 with ``field: "limit"``.
    - ``retry_after_on_429``: a 429 also carries ``Retry-After`` (seconds to the reset); off:
      only ``X-RateLimit-Reset`` says when to come back.
    """

    soft_deleted_in_default_list: bool = True
    paginate_beyond_employees: bool = True
    clamp_limit: bool = True
    retry_after_on_429: bool = False


@dataclass
class WorkTimeFaults:
    """Vendor-specific faults (the kit's ``Faults`` adds latency, 503 bursts, timeouts, drops).

    - ``html_error_next``: the next N requests answer the edge proxy's HTML "502 Bad Gateway"
      page (no JSON body and, coming from the proxy, no ``X-RateLimit-*`` headers).
    - ``repeat_page_next``: the next N list requests for a page after the first answer the first
      page's rows again (a cache in front ignoring the query string) while ``pagination.page``
      still echoes the page asked for.
    Budget exhaustion by another integration sharing the key is :meth:`WorkTimeSimulator.spend_budget`,
    a revoked key :meth:`WorkTimeSimulator.revoke_key`, lost or duplicated webhook deliveries
    ``sim.webhooks.faults.drop_next`` / ``duplicate_next``.
    """

    html_error_next: int = 0
    repeat_page_next: int = 0


BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class WorkTimeSimulator(Endpoints, SimulatedWorld, Simulator):
    name = "worktime"
    base_path = API
    strict_slashes = True

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        seed: int = 1,
        api_keys: Iterable[ApiKey] | None = None,
        quirks: WorkTimeQuirks | None = None,
        webhook_transport: httpx.BaseTransport | None = None,
        webhook_background: bool | None = None,
        time_zone: str = TIME_ZONE,
    ):
        super().__init__(clock=clock, faults=faults, seed=seed)
        self.quirks = quirks or WorkTimeQuirks()
        self.vendor_faults = WorkTimeFaults()
        self.zone = ZoneInfo(time_zone)
        self.api_keys: dict[str, ApiKey] = {}
        for key in api_keys if api_keys is not None else [ApiKey(DEMO_KEY, FULL, "enterprise")]:
            self.add_api_key(key)
        self.budget = HourlyBudget()
        self.organization = {
            "id": "org_482913",
            "name": COMPANY_NAME,
            "created_at": datetime(2022, 1, 10, 8, 0, tzinfo=UTC),
        }
        self.directory = EmployeeDirectory(DEPARTMENT_LIST)
        self.attendance = Attendance(self.zone)
        self.locks: dict[str, SmartLock] = {}
        self.lock_history = LockHistory(self.zone)
        self.webhooks = WebhookDispatcher(webhook_transport, background=webhook_background)
        self._workers: dict[int, activity.Worker] = {}
        self._pending: list[activity.PlannedEvent] = []  # heap by visible_at
        self._planned_through: date | None = None  # last local day whose activity is planned

    # -- builders -----------------------------------------------------------------------------
    @classmethod
    def demo(
        cls,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        *,
        webhook_urls: Iterable[str] = (),
        **kwargs,
    ):
        """The demo company's WorkTime people, 2 TTLock locks per site and 30 days of history.

        ``webhook_urls`` are registered for every event (as if set up in Settings → Webhooks);
        their shared secret is in :meth:`credentials` as ``webhook_secret``.
        """
        sim = cls(clock=clock or SimClock(), faults=faults, **kwargs)
        for url in webhook_urls:
            sim.register_webhook(url, secret=DEMO_WEBHOOK_SECRET)
        now = sim.clock.now()
        site_locks = demo_locks()
        for locks in site_locks.values():
            sim.locks.update((lock.id, lock) for lock in locks)
        for person in demo_people():
            employee = sim.directory.add(lambda i, p=person: employee_from_person(i, p, sim.zone))
            if employee.status == ACTIVE:
                gateway, other = site_locks[person.site]
                start = employee.shift_start
                sim._workers[employee.index] = activity.Worker(
                    employee.index,
                    person.code,
                    person.department,
                    start.hour * 60 + start.minute,
                    employee.shift_minutes,
                    gateway.id,
                    other.id,
                    keeps_time=build_company().keeps_time("worktime", person),
                )
        history_start = now - timedelta(days=30)
        first_day = history_start.astimezone(sim.zone).date() - timedelta(days=1)
        sim._planned_through = now.astimezone(sim.zone).date() + timedelta(days=1)
        events = []
        day = first_day
        while day <= sim._planned_through:
            events += sim._plan_for_day(day)
            day += timedelta(days=1)
        events = sorted(e for e in events if e.at >= history_start)
        for event in events:
            if event.visible_at <= now:
                sim._apply(event, fire=False)
            else:
                sim._pending.append(event)
        heapq.heapify(sim._pending)
        return sim

    @classmethod
    def large(
        cls,
        *,
        employees: int = 100_000,
        attendance_days: int = 0,
        clock: SimClock | None = None,
        **kwargs,
    ):
        """``employees`` generated by index (department ``index % 8``, every 25th inactive) and,
        with ``attendance_days``, one closed attendance record per employee per day before today.
        No background activity; writes go to a small live overlay."""
        kwargs.setdefault("api_keys", [ApiKey(DEMO_KEY, FULL, "enterprise", hourly_limit=10**9)])
        sim = cls(clock=clock or SimClock(), **kwargs)
        now = sim.clock.now()
        sim.directory = EmployeeDirectory(
            DEPARTMENT_LIST, generated_employees(employees, now - timedelta(days=3 * 365))
        )
        for locks in demo_locks().values():
            sim.locks.update((lock.id, lock) for lock in locks)
        if attendance_days:
            today = now.astimezone(sim.zone).date()
            sim.attendance.generated = GeneratedAttendance(
                employees,
                today - timedelta(days=attendance_days),
                attendance_days,
                list(sim.locks),
                sim.directory.get,
                sim.zone,
            )
        return sim

    # -- keys, budget, webhooks ---------------------------------------------------------------
    def add_api_key(self, key: ApiKey | str, scope: str = FULL, plan: str = "paid") -> ApiKey:
        if isinstance(key, str):
            key = ApiKey(key, scope, plan)
        self.api_keys[key.key] = key
        return key

    def revoke_key(self, key: str) -> None:
        """The key was deleted in Settings → API Keys: it now answers 401."""
        self.api_keys[key].revoked = True

    def spend_budget(self, key: str, requests: int | None = None) -> None:
        """Another integration sharing ``key`` spent ``requests`` of this hour (all by default)."""
        with self.lock:
            api_key = self.api_keys[key]
            now = self.clock.now()
            left = self.budget.peek(key, api_key.limit, now).remaining
            self.budget.spend(key, api_key.limit, now, min(left, requests or left))

    def register_webhook(self, url: str, events: Iterable[str] = (), secret: str | None = None):
        """Settings → Webhooks: post ``events`` (all when empty) to ``url``."""
        with self.lock:
            return self.webhooks.register(url, tuple(events), secret)

    def remove_webhook(self, registration: WebhookRegistration | str) -> None:
        with self.lock:
            self.webhooks.remove(getattr(registration, "id", registration))

    def deliver_webhooks(self) -> None:
        """Post queued webhook events now (after a direct ``tick()`` in tests)."""
        self.webhooks.deliver_pending()

    def add_employee(
        self,
        name: str,
        email: str,
        *,
        id: str | None = None,
        department: str | None = None,
        position: str = "",
        salary: float = 0,
        status: str = ACTIVE,
        start_date: date | None = None,
        created_at: datetime | None = None,
        shift_start: time | None = None,
    ) -> Employee:
        """Put an employee in directly (e.g. the document's ``emp_123456``); ``department`` is a
        department id or name. No webhook: this is seeding, not an API change."""
        with self.lock:
            by_name = {d.name: d for d in self.directory.departments.values()}
            dept = self.directory.departments.get(department) or by_name.get(department)
            new_id = id or self.directory.new_id()
            return self.directory.add(
                lambda index: Employee(
                    id=new_id,
                    index=index,
                    name=name,
                    email=email,
                    department=dept,
                    position=position,
                    salary=salary,
                    status=status,
                    start_date=start_date,
                    created_at=created_at or self.clock.now(),
                    shift_start=shift_start or shift_start_for(dept),
                )
            )

    def credentials(self) -> dict[str, str]:
        """``api_key`` (a full-access key) and, once a webhook is registered, ``webhook_secret``."""
        usable = [k for k in self.api_keys.values() if k.scope == FULL and not k.revoked]
        credentials = {"api_key": (usable or list(self.api_keys.values()))[0].key}
        registrations = list(self.webhooks.registrations.values())
        if registrations:
            credentials["webhook_secret"] = registrations[0].secret
        return credentials

    # -- request pipeline ---------------------------------------------------------------------
    def routes(self) -> Iterable[Rule]:
        return [
            Rule(f"{API}/organization", endpoint="get_organization", methods=["GET"]),
            Rule(f"{API}/employees", endpoint="list_employees", methods=["GET"]),
            Rule(f"{API}/employees", endpoint="create_employee", methods=["POST"]),
            Rule(f"{API}/employees/<employee_id>", endpoint="get_employee", methods=["GET"]),
            Rule(f"{API}/employees/<employee_id>", endpoint="update_employee", methods=["PUT"]),
            Rule(f"{API}/employees/<employee_id>", endpoint="delete_employee", methods=["DELETE"]),
            Rule(f"{API}/attendance", endpoint="list_attendance", methods=["GET"]),
            Rule(f"{API}/attendance/clock", endpoint="record_clock", methods=["POST"]),
            Rule(f"{API}/reports/payroll", endpoint="report_payroll", methods=["GET"]),
            Rule(f"{API}/reports/attendance", endpoint="report_attendance", methods=["GET"]),
            Rule(f"{API}/locks", endpoint="list_locks", methods=["GET"]),
            Rule(f"{API}/locks/<lock_id>", endpoint="get_lock", methods=["GET"]),
            Rule(f"{API}/locks/<lock_id>/history", endpoint="lock_history_list", methods=["GET"]),
        ]

    def dispatch(self, request: Request) -> Response:
        try:
            return super().dispatch(request)
        finally:
            self.webhooks.after_request()  # outside the lock: a slow receiver blocks nothing

    def _api_key(self, request: Request) -> ApiKey | None:
        scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
        key = self.api_keys.get(token.strip()) if scheme.lower() == "bearer" else None
        return None if key is None or key.revoked else key

    def before_request(self, request: Request) -> Response | None:
        if self.vendor_faults.html_error_next > 0:
            self.vendor_faults.html_error_next -= 1
            return Response(BAD_GATEWAY_HTML, status=502, mimetype="text/html")
        now = self.clock.now()
        key = self._api_key(request)
        bucket, limit = (key.key, key.limit) if key else (ANONYMOUS, PLANS["free"])
        allowed, state = self.budget.spend(bucket, limit, now)
        request.environ[_RATE] = state
        if not allowed:
            return self._too_many(state, now)
        if key is None:
            if not request.headers.get("Authorization"):
                message = "Missing API key: send 'Authorization: Bearer YOUR_API_KEY'"
                return error(401, "unauthorized", message)
            return error(401, "unauthorized", "Invalid or revoked API key")
        if not key.allows(request.method):
            action = "delete" if request.method == "DELETE" else "modify"
            return error(
                403, "forbidden", f"This API key does not have permission to {action} data"
            )
        return None

    def _too_many(self, state: RateState, now: datetime) -> Response:
        headers = {}
        if self.quirks.retry_after_on_429:
            headers["Retry-After"] = str(max(1, state.reset - int(now.timestamp())))
        message = (
            f"Rate limit of {state.limit} requests per hour exceeded; retry after {state.reset}"
        )
        return error(429, "rate_limit_exceeded", message, None, headers)

    def after_request(self, request: Request, response: Response) -> Response:
        state: RateState | None = request.environ.get(_RATE)
        if state is not None:
            response.headers.update(state.headers())
        return response

    def not_found(self, request: Request) -> Response:
        return error(404, "not_found", f"No endpoint {request.method} {request.path}")

    def method_not_allowed(self, request: Request, exc) -> Response:
        return error(405, "method_not_allowed", f"Method {request.method} is not allowed here")

    def server_error(self, request: Request, status: int) -> Response:
        """The kit's injected 5xx, still with the rate headers (nothing is counted)."""
        with self.lock:
            key = self._api_key(request)
            bucket, limit = (key.key, key.limit) if key else (ANONYMOUS, PLANS["free"])
            state = self.budget.peek(bucket, limit, self.clock.now())
        code = "service_unavailable" if status == 503 else "internal_error"
        return error(status, code, "Something went wrong on our end", None, state.headers())

    def _page(self, request: Request) -> PageRequest:
        paging = page_request(request, self.quirks.clamp_limit)
        return paging

    def _rows_of_page(self, paging: PageRequest) -> tuple[int, int]:
        """(offset, limit) actually served: the repeat-page fault serves the first page again."""
        if paging.page > 1 and self.vendor_faults.repeat_page_next > 0:
            self.vendor_faults.repeat_page_next -= 1
            return 0, paging.limit
        return paging.offset, paging.limit

    def _listing(self, request: Request, rows: list, to_json) -> Response:
        """Answer an in-memory list the way the quirks say (paged or all at once)."""
        if not self.quirks.paginate_beyond_employees:
            return ok([to_json(row) for row in rows])
        paging = self._page(request)
        offset, limit = self._rows_of_page(paging)
        page = [to_json(row) for row in rows[offset : offset + limit]]
        return ok(page, pagination=paging.block(len(rows)))
