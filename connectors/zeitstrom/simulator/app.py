"""The Zeitstrom v2 server: routes, token auth, throttling, handlers and the demo/large builders.

Endpoints (all paths end in ``/``; a path without it gets Django's 301 to the slashed one):

- ``GET  /api/v2/employees/employees/`` list (``limit``/``offset``; filters ``accounting_number``,
  ``external_id``, ``email``, ``archived`` true/false, ``modified_at__gte``), ordered by
  ``created_at``
- ``GET  /api/v2/employees/employees/{id}/``
- ``POST /api/v2/employees/employees/{id}/checkin/`` and ``.../checkout/`` (optional ``time``,
  default now): the document's "Employee Check-in/Check-out", answered with the timespan
- ``POST /api/v2/devices/app-timestamps/`` ``{intent, employee_id, time}`` → 201
- ``GET|POST /api/v2/timestamps/timespans/``: the list wants ``daterange=YYYY-MM-DD|YYYY-MM-DD``
  (check-in days in the server's zone, both ends included), takes ``employee_ids=a|b`` and
  ``verbosity=detail|duration|device``; ordered by ``checkin_time``. The default (compact) rows
  carry ``id``, ``checkin_time``, ``checkout_time``, ``project_id``, ``employee_comment`` and
  ``tag_assignments`` only, no employee (vendor-quirks.md, second round). Other filters are
  ignored, as django-filter ignores unknown parameters.
- ``GET|PUT|PATCH|DELETE /api/v2/timestamps/timespans/{id}/``

The document names Timespans without a path; the path and list parameters are the real
server's (vendor-quirks.md). That ``daterange`` is required, what ``duration``/``device`` add
and the detail endpoints under the same path are assumptions.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect, Rule
from werkzeug.wrappers import Request, Response

from connectors.simkit.base import Simulator, json_response
from connectors.simkit.clock import SimClock
from connectors.simkit.faults import Faults
from connectors.zeitstrom.simulator import drf
from connectors.zeitstrom.simulator.parsing import datetime_field, query_datetime, read_body
from connectors.zeitstrom.simulator.records import AppTimestamp, Employee, Timespan
from connectors.zeitstrom.simulator.seed import (
    clocks_in_zeitstrom_itself,
    demo_people,
    employee_from_person,
    large_employee,
    seed_history,
    self_clocking_events,
)
from connectors.zeitstrom.simulator.timespans import (
    GeneratedTimespans,
    LiveTimespans,
    RuleViolation,
    TimespanFilter,
)

API = "/api/v2"
EMPLOYEE_ARCHIVED = "The employee is archived."
EMPLOYEE_EXACT_FILTERS = ("accounting_number", "external_id", "email")


@dataclass
class ZeitstromQuirks:
    """Server behaviours that differ between Zeitstrom installations (all on by default).

    What the quirks file says Zeitstrom always does (``Token`` auth, DRF error bodies,
    limit/offset pages, durations in seconds, a null check-out while checked in, 429 over the
    rate) is always on. These switches cover what a DRF server may or may not do:

    - ``local_time_offsets``: datetimes are rendered in the server's zone with its offset
      (``2024-06-20T10:00:00+02:00``, DRF with ``TIME_ZONE=Europe/Berlin``); off: UTC with ``Z``.
    - ``archived_in_list``: the employee list includes archived employees (``archived_at`` set);
      off: the list hides them (a client then only finds them by id).
    - ``append_slash_redirect``: a path without its trailing ``/`` answers Django's 301 to the
      slashed path (a client following it turns a POST into a GET); off: Django's HTML 404.
    - ``envelope_without_links`` (off by default): list envelopes carry ``count`` and
      ``results`` only, no ``next``/``previous``.
    - ``detail_without_employee`` (off by default): even ``verbosity=detail`` timespan rows
      lack the employee; only ``employee_ids`` says whose they are.
    """

    local_time_offsets: bool = True
    archived_in_list: bool = True
    append_slash_redirect: bool = True
    envelope_without_links: bool = False
    detail_without_employee: bool = False


@dataclass
class ZeitstromFaults:
    """Vendor-specific faults, counted down per request like the kit's ``Faults``.

    - ``throttle_next``: the next N authenticated requests answer 429 (``Retry-After:
      throttle_wait``) whatever the rate.
    - ``html_error_next``: the next N requests answer Django's HTML "Server Error (500)" page.
    - ``row_vanishes_after_page``: after the next list page is served, the first row of that
      list is deleted, so the following ``offset`` page silently skips one row.
    Revoking the token is :meth:`ZeitstromSimulator.rotate_token`.
    """

    throttle_next: int = 0
    throttle_wait: int = 30
    html_error_next: int = 0
    row_vanishes_after_page: bool = False


class ZeitstromSimulator(Simulator):
    name = "zeitstrom"
    strict_slashes = True  # slashes are handled the Django way in before_request

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        seed: int = 1,
        token: str = "zs-demo-7f3a9c2e41b8d05f6a1e",
        quirks: ZeitstromQuirks | None = None,
        rate_limit: tuple[int, float] | None = (600, 60.0),
        time_zone: str = "Europe/Berlin",
    ):
        super().__init__(clock=clock, faults=faults, seed=seed)
        self.token = token
        self.quirks = quirks or ZeitstromQuirks()
        self.vendor_faults = ZeitstromFaults()
        #: (requests, seconds): DRF's SimpleRateThrottle per token; None switches it off
        self.rate_limit = rate_limit
        self.zone = ZoneInfo(time_zone)
        self.employees: dict[str, Employee] = {}
        self.timespans = LiveTimespans()
        self.history: GeneratedTimespans | None = None
        self.app_timestamps: list[AppTimestamp] = []
        self._employee_order: list[Employee] | None = None
        self._request_history: dict[str, deque[datetime]] = {}
        self.self_clocking: set[str] = set()  # employees whose check-ins tick() makes
        self._activity_until = self.clock.now()
        self._rng = random.Random(seed)

    # -- builders -----------------------------------------------------------------------------
    @classmethod
    def demo(cls, clock: SimClock | None = None, faults: Faults | None = None, **kwargs):
        """The demo company's Zeitstrom people and 30 days of timespans ending now."""
        sim = cls(clock=clock or SimClock(), faults=faults, **kwargs)
        now = sim.clock.now()
        for index, person in enumerate(demo_people()):
            employee = employee_from_person(index, person, now, sim.zone)
            sim.add_employee(employee)
            if clocks_in_zeitstrom_itself(person):
                sim.self_clocking.add(employee.id)
        seed_history(sim, now - timedelta(days=30), now)
        sim._activity_until = now
        return sim

    @classmethod
    def large(
        cls,
        *,
        employees: int = 1000,
        timespans: int = 1_000_000,
        clock: SimClock | None = None,
        **kwargs,
    ):
        """``employees`` synthetic people and ``timespans`` read-only closed timespans generated
        by index (no memory per row) ending before now; live check-ins work as usual."""
        sim = cls(clock=clock or SimClock(), rate_limit=None, **kwargs)
        now = sim.clock.now()
        created = now - timedelta(days=timespans // max(employees, 1) + 30)
        for index in range(employees):
            sim.add_employee(large_employee(index, created + timedelta(seconds=index)))
        yesterday = now - timedelta(days=1)
        sim.history = GeneratedTimespans(list(sim.employees), timespans, end=yesterday)
        return sim

    def add_employee(self, employee: Employee) -> Employee:
        self.employees[employee.id] = employee
        self._employee_order = None
        return employee

    def credentials(self) -> dict[str, str]:
        return {"token": self.token}

    def rotate_token(self) -> str:
        """An admin regenerated the API token: the old one now answers 401 "Invalid token."."""
        self.token = f"zs-{self._rng.getrandbits(96):024x}"
        return self.token

    # -- simulated activity -------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock.now()
        start, self._activity_until = self._activity_until, max(now, self._activity_until)
        if now <= start or not self.self_clocking:
            return
        for when, is_checkout, employee_id in self_clocking_events(self, start, now):
            try:
                if is_checkout:
                    self.timespans.check_out(employee_id, when, when)
                else:
                    self.timespans.check_in(employee_id, when, "terminal", when)
            except RuleViolation:
                pass  # someone already checked them in or out through the API

    # -- routing ------------------------------------------------------------------------------
    def routes(self) -> Iterable[Rule]:
        employees = f"{API}/employees/employees/"
        employee = employees + "<employee_id>/"
        stamps = f"{API}/devices/app-timestamps/"
        timespans = f"{API}/timestamps/timespans/"
        return [
            Rule(employees, endpoint="list_employees", methods=["GET"]),
            Rule(employee, endpoint="get_employee", methods=["GET"]),
            Rule(employee + "checkin/", endpoint="employee_checkin", methods=["POST"]),
            Rule(employee + "checkout/", endpoint="employee_checkout", methods=["POST"]),
            Rule(stamps, endpoint="create_app_timestamp", methods=["POST"]),
            Rule(timespans, endpoint="list_timespans", methods=["GET"]),
            Rule(timespans, endpoint="create_timespan", methods=["POST"]),
            Rule(timespans + "<span_id>/", endpoint="get_timespan", methods=["GET"]),
            Rule(timespans + "<span_id>/", endpoint="update_timespan", methods=["PUT", "PATCH"]),
            Rule(timespans + "<span_id>/", endpoint="delete_timespan", methods=["DELETE"]),
        ]

    def not_found(self, request: Request) -> Response:
        return drf.html(drf.DJANGO_404_HTML, 404)

    def before_request(self, request: Request) -> Response | None:
        if self.vendor_faults.html_error_next > 0:
            self.vendor_faults.html_error_next -= 1
            return drf.html(drf.DJANGO_500_HTML, 500)
        adapter = self.url_map.bind_to_environ(request.environ)
        if not self._route_exists(adapter, request.path):
            if not request.path.endswith("/") and self._route_exists(adapter, request.path + "/"):
                return self._append_slash(request)
            return None  # the base answers not_found()
        return self._authenticate(request) or self._throttle()

    @staticmethod
    def _route_exists(adapter, path: str) -> bool:
        try:
            adapter.match(path, method="GET")
        except MethodNotAllowed:
            return True
        except (NotFound, RequestRedirect):  # a redirect: werkzeug's own answer to a missing slash
            return False
        return True

    def _append_slash(self, request: Request) -> Response:
        if not self.quirks.append_slash_redirect:
            return self.not_found(request)
        location = request.path + "/"
        if request.query_string:
            location += "?" + request.query_string.decode("latin-1")
        return Response(b"", status=301, headers={"Location": location}, mimetype="text/html")

    def _authenticate(self, request: Request) -> Response | None:
        """DRF TokenAuthentication: only the ``Token`` keyword counts; others are anonymous."""
        parts = request.headers.get("Authorization", "").split()
        challenge = {"WWW-Authenticate": "Token"}
        if not parts or parts[0].lower() != "token":
            return drf.detail(drf.NOT_AUTHENTICATED, 401, challenge)
        if len(parts) == 1:
            return drf.detail(drf.TOKEN_HEADER_EMPTY, 401, challenge)
        if len(parts) > 2:
            return drf.detail(drf.TOKEN_HEADER_SPACES, 401, challenge)
        if parts[1] != self.token:
            return drf.detail(drf.INVALID_TOKEN, 401, challenge)
        return None

    def _throttle(self) -> Response | None:
        if self.vendor_faults.throttle_next > 0:
            self.vendor_faults.throttle_next -= 1
            return drf.throttled(self.vendor_faults.throttle_wait)
        if self.rate_limit is None:
            return None
        allowed, window = self.rate_limit
        now = self.clock.now()
        history = self._request_history.setdefault(self.token, deque())
        while history and history[0] <= now - timedelta(seconds=window):
            history.popleft()
        if len(history) >= allowed:
            remaining = window - (now - history[0]).total_seconds()
            return drf.throttled(max(1, math.ceil(remaining)))
        history.append(now)
        return None

    # -- helpers ------------------------------------------------------------------------------
    @property
    def render_zone(self):
        return self.zone if self.quirks.local_time_offsets else UTC

    def _employee_list(self) -> list[Employee]:
        if self._employee_order is None:
            by_creation = lambda e: (e.created_at, e.id)  # noqa: E731
            self._employee_order = sorted(self.employees.values(), key=by_creation)
        return self._employee_order

    def _employee_field(
        self, data: dict, errors: dict, name: str = "employee_id"
    ) -> Employee | None:
        if name not in data:
            errors[name] = [drf.REQUIRED]
            return None
        value = data[name]
        if value is None:
            errors[name] = [drf.NULL]
            return None
        try:
            key = str(uuid.UUID(str(value)))
        except ValueError:
            errors[name] = [drf.INVALID_UUID]
            return None
        employee = self.employees.get(key)
        if employee is None:
            errors[name] = [f'Invalid pk "{value}" - object does not exist.']
        return employee

    def _vanish_after_page(self, first: Employee | Timespan | None) -> None:
        if not self.vendor_faults.row_vanishes_after_page or first is None:
            return
        self.vendor_faults.row_vanishes_after_page = False
        if isinstance(first, Employee):
            self.employees.pop(first.id, None)
            self._employee_order = None
        elif first.id in self.timespans.by_id:
            self.timespans.delete(first)

    # -- employees ----------------------------------------------------------------------------
    def list_employees(self, request: Request) -> Response:
        errors: dict[str, list[str]] = {}
        modified_from = query_datetime(request, self.zone, "modified_at__gte", errors)
        if errors:
            return drf.field_errors(errors)
        rows = self._employee_list()
        exact = {k: request.args[k] for k in EMPLOYEE_EXACT_FILTERS if k in request.args}
        archived = request.args.get("archived", "").lower()
        if not self.quirks.archived_in_list:
            rows = [e for e in rows if e.archived_at is None]
        if archived in ("true", "false"):
            rows = [e for e in rows if (e.archived_at is not None) == (archived == "true")]
        if exact:
            rows = [e for e in rows if all(getattr(e, k) == v for k, v in exact.items())]
        if modified_from is not None:
            rows = [e for e in rows if e.modified_at >= modified_from]
        limit, offset = drf.page_params(request)
        page = rows[offset : offset + limit]
        results = [e.to_json(self.render_zone) for e in page]
        links = not self.quirks.envelope_without_links
        body = drf.page_body(request, len(rows), limit, offset, results, links=links)
        self._vanish_after_page(rows[0] if rows else None)
        return json_response(body)

    def get_employee(self, request: Request, employee_id: str) -> Response:
        employee = self._find_employee(employee_id)
        if employee is None:
            return drf.detail(drf.NOT_FOUND, 404)
        return json_response(employee.to_json(self.render_zone))

    def _find_employee(self, employee_id: str) -> Employee | None:
        try:
            return self.employees.get(str(uuid.UUID(employee_id)))
        except ValueError:
            return None

    def employee_checkin(self, request: Request, employee_id: str) -> Response:
        return self._employee_action(request, employee_id, "checkin")

    def employee_checkout(self, request: Request, employee_id: str) -> Response:
        return self._employee_action(request, employee_id, "checkout")

    def _employee_action(self, request: Request, employee_id: str, intent: str) -> Response:
        employee = self._find_employee(employee_id)
        if employee is None:
            return drf.detail(drf.NOT_FOUND, 404)
        data = read_body(request)
        if isinstance(data, Response):
            return data
        errors: dict[str, list[str]] = {}
        when = datetime_field(data, errors, self.zone, "time", required=False, nullable=True)
        if errors:
            return drf.field_errors(errors)
        try:
            span = self._record(employee, intent, when or self.clock.now(), "employee")
        except RuleViolation as exc:
            return drf.field_errors({"non_field_errors": [str(exc)]})
        return json_response(span.to_json(self.render_zone))

    def _record(self, employee: Employee, intent: str, when: datetime, source: str) -> Timespan:
        now = self.clock.now()
        if employee.archived_at is not None:
            raise RuleViolation(EMPLOYEE_ARCHIVED)
        if intent == "checkin":
            return self.timespans.check_in(employee.id, when, source, now)
        return self.timespans.check_out(employee.id, when, now)

    # -- app timestamps -----------------------------------------------------------------------
    def create_app_timestamp(self, request: Request) -> Response:
        data = read_body(request)
        if isinstance(data, Response):
            return data
        errors: dict[str, list[str]] = {}
        intent = data.get("intent")
        if "intent" not in data:
            errors["intent"] = [drf.REQUIRED]
        elif intent is None:
            errors["intent"] = [drf.NULL]
        elif intent not in ("checkin", "checkout"):
            errors["intent"] = [f'"{intent}" is not a valid choice.']
        employee = self._employee_field(data, errors)
        when = datetime_field(data, errors, self.zone, "time", required=True)
        if errors:
            return drf.field_errors(errors)
        try:
            span = self._record(employee, intent, when, "app")
        except RuleViolation as exc:
            return drf.field_errors({"non_field_errors": [str(exc)]})
        stamp_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        stamp = AppTimestamp(stamp_id, self.clock.now(), intent, employee.id, when, span.id)
        self.app_timestamps.append(stamp)
        return json_response(stamp.to_json(self.render_zone), status=201)

    # -- timespans ----------------------------------------------------------------------------
    def list_timespans(self, request: Request) -> Response:
        errors: dict[str, list[str]] = {}
        employee_ids = None
        if request.args.get("employee_ids"):
            try:
                employee_ids = frozenset(
                    str(uuid.UUID(part)) for part in request.args["employee_ids"].split("|")
                )
            except ValueError:
                errors["employee_ids"] = ["Enter a valid UUID."]
        first, after_last = self._daterange(request.args.get("daterange"), errors)
        verbosity = request.args.get("verbosity") or "compact"
        if verbosity not in ("compact", "detail", "duration", "device"):
            errors["verbosity"] = [f'"{verbosity}" is not a valid choice.']
        if errors:
            return drf.field_errors(errors)
        flt = TimespanFilter(employee_ids, first, after_last)
        limit, offset = drf.page_params(request)
        generated = self.history.select(flt) if self.history else None
        old = len(generated) if generated else 0
        live = self.timespans.select(flt)
        page: list[Timespan] = []
        if generated and offset < old:
            page = generated.page(offset, limit)
        if len(page) < limit:
            start = max(0, offset - old)
            page += live[start : start + limit - len(page)]
        zone, with_employee = self.render_zone, not self.quirks.detail_without_employee
        results = [s.to_json(zone, verbosity, with_employee=with_employee) for s in page]
        links = not self.quirks.envelope_without_links
        body = drf.page_body(request, old + len(live), limit, offset, results, links=links)
        self._vanish_after_page(live[0] if live else None)
        return json_response(body)

    def _daterange(self, raw: str | None, errors: dict) -> tuple[datetime | None, datetime | None]:
        """``YYYY-MM-DD|YYYY-MM-DD`` → [first day 00:00, the day after the last 00:00) in the
        server's zone, as aware datetimes."""
        if not raw:
            errors["daterange"] = [drf.REQUIRED]
            return None, None
        try:
            first, last = (date.fromisoformat(part.strip()) for part in raw.split("|"))
        except ValueError:
            errors["daterange"] = ["Enter a valid date range: YYYY-MM-DD|YYYY-MM-DD."]
            return None, None
        if last < first:
            errors["daterange"] = ["The range ends before it starts."]
            return None, None
        start = datetime.combine(first, time_of_day.min, self.zone)
        end = datetime.combine(last + timedelta(days=1), time_of_day.min, self.zone)
        return start, end

    def _find_timespan(self, span_id: str) -> tuple[Timespan | None, bool]:
        """The timespan and whether it is live (editable) rather than generated history."""
        try:
            key = str(uuid.UUID(span_id))
        except ValueError:
            return None, False
        span = self.timespans.by_id.get(key)
        if span is not None:
            return span, True
        return (self.history.find(key) if self.history else None), False

    def get_timespan(self, request: Request, span_id: str) -> Response:
        span, _ = self._find_timespan(span_id)
        if span is None:
            return drf.detail(drf.NOT_FOUND, 404)
        return json_response(span.to_json(self.render_zone))

    def create_timespan(self, request: Request) -> Response:
        data = read_body(request)
        if isinstance(data, Response):
            return data
        errors: dict[str, list[str]] = {}
        employee = self._employee_field(data, errors)
        checkin = datetime_field(data, errors, self.zone, "checkin_time", required=True)
        checkout = datetime_field(
            data, errors, self.zone, "checkout_time", required=False, nullable=True
        )
        if errors:
            return drf.field_errors(errors)
        try:
            if employee.archived_at is not None:
                raise RuleViolation(EMPLOYEE_ARCHIVED)
            span = self.timespans.create(employee.id, checkin, checkout, "web", self.clock.now())
        except RuleViolation as exc:
            return drf.field_errors({"non_field_errors": [str(exc)]})
        return json_response(span.to_json(self.render_zone), status=201)

    def update_timespan(self, request: Request, span_id: str) -> Response:
        span, live = self._find_timespan(span_id)
        if span is None:
            return drf.detail(drf.NOT_FOUND, 404)
        if not live:
            return drf.detail(drf.NO_PERMISSION, 403)
        data = read_body(request)
        if isinstance(data, Response):
            return data
        partial = request.method == "PATCH"
        errors: dict[str, list[str]] = {}
        checkin = datetime_field(data, errors, self.zone, "checkin_time", required=not partial)
        checkout = datetime_field(
            data, errors, self.zone, "checkout_time", required=False, nullable=True
        )
        if not partial and "employee_id" not in data:
            errors["employee_id"] = [drf.REQUIRED]
        if errors:
            return drf.field_errors(errors)
        checkin = checkin or span.checkin_time
        if "checkout_time" not in data:
            checkout = span.checkout_time
        try:
            self.timespans.update(span, checkin, checkout, self.clock.now())
        except RuleViolation as exc:
            return drf.field_errors({"non_field_errors": [str(exc)]})
        return json_response(span.to_json(self.render_zone))

    def delete_timespan(self, request: Request, span_id: str) -> Response:
        span, live = self._find_timespan(span_id)
        if span is None:
            return drf.detail(drf.NOT_FOUND, 404)
        if not live:
            return drf.detail(drf.NO_PERMISSION, 403)
        self.timespans.delete(span)
        return Response(status=204)
