"""The OpenTimeClock Q2 server: one URL, ``cmd`` picks the command, read-only users and time cards.

Served: ``GET`` (parameters in the query) and ``POST`` (a JSON text body, or query parameters)
on ``/Jun-Inside-VPC`` with ``cmd`` = ``api/q2QueryTimeCards`` or ``api/q2QueryUsers``. Anything
else is answered by the AWS API Gateway in front: 403 ``{"message": "Missing Authentication
Token"}``. Refusals are HTTP 200 with ``statusCode`` "ERROR".

``nextRecord`` counts the matching records already returned (a SQL offset): pass "0", then the
value returned, until "-1".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.q2.simulator import protocol as q2
from connectors.q2.simulator.cards import GeneratedCards, LiveCards
from connectors.q2.simulator.records import JOB, PTO, TimeCard, User
from connectors.q2.simulator.seed import Planned, day_plan, demo_users, job_name, large_users
from connectors.simkit.base import Simulator
from connectors.simkit.clock import SimClock
from connectors.simkit.faults import Faults

#: users' (attribute, parameter prefix) pairs filtered by ``…From``/``…To`` in server time
USER_WINDOWS = (("created_at", "createdDateTime"), ("updated_at", "updatedDateTime"))
MAINTENANCE_HTML = (
    "<!DOCTYPE html><html><head><title>OpenTimeClock - Maintenance</title></head><body>"
    "<h1>We'll be back soon!</h1><p>OpenTimeClock is under scheduled maintenance.</p></body></html>"
)


@dataclass
class Q2Quirks:
    """Behaviours a Q2 server may or may not show (the always-on ones are not switches: strings
    everywhere, "0000-00-00 00:00:00" for no clock-out, "ALL …" spellings, 5000 a page).

    - ``numeric_flags``: ``entryType`` and ``approvedByEmployee`` come as numbers, as in the
      document's sample (``"entryType":0``), instead of strings. Off by default.
    - ``extra_empty_page``: when a page comes back exactly full, ``nextRecord`` points past it
      even if nothing is left, and one more call returns no data with "-1". On by default.
    - ``form_body_accepted``: a form-encoded body (``companyId=…&cmd=…``) is read too; off, the
      server only understands JSON text and answers "Company ID not found.". Off by default.
    """

    numeric_flags: bool = False
    extra_empty_page: bool = True
    form_body_accepted: bool = False


@dataclass
class Q2Faults:
    """Vendor-specific faults, each counted down per request.

    - ``repeat_next_record``: the next N pages answer ``nextRecord`` equal to the one sent (a
      client that only follows it loops forever).
    - ``gateway_timeout_next``: the next N requests answer API Gateway's 504
      ``{"message": "Endpoint request timed out"}`` (its 29 s limit on big pages).
    - ``throttle_next``: the next N requests answer API Gateway's 429 ``{"message": "Too Many
      Requests"}``.
    - ``html_200_next``: the next N requests answer HTTP 200 with an HTML maintenance page.
    A regenerated developer token is :meth:`Q2Simulator.rotate_token`.
    """

    repeat_next_record: int = 0
    gateway_timeout_next: int = 0
    throttle_next: int = 0
    html_200_next: int = 0


class Q2Simulator(Simulator):
    name = "q2"
    strict_slashes = True  # "/Jun-Inside-VPC/" is another (unknown) API Gateway resource

    def __init__(
        self,
        *,
        clock: SimClock | None = None,
        faults: Faults | None = None,
        seed: int = 1,
        company_id: str = "58213",
        developer_token: str = "q2-4c1b7e9a0f3d48e6b2a5",
        company_time_zone: str = "Europe/Berlin",
        server_time_zone: str = "America/New_York",  # "our server time ... North Virginia"
        quirks: Q2Quirks | None = None,
    ):
        super().__init__(clock=clock, faults=faults, seed=seed)
        self.company_id = company_id
        self.developer_token = developer_token
        self.company_time_zone = company_time_zone
        self.zone = ZoneInfo(company_time_zone)
        self.server_zone = ZoneInfo(server_time_zone)
        self.quirks = quirks or Q2Quirks()
        self.vendor_faults = Q2Faults()
        self.users: list[User] = []
        self.cards = LiveCards()
        self.history: GeneratedCards | None = None
        self._sites: dict[int, str] = {}  # user seq -> site code, for users the clock moves
        self._plans: dict[tuple[int, date], list[Planned]] = {}
        self._activity_until = self.clock.now()
        self._token_generation = 0

    # -- builders -----------------------------------------------------------------------------
    @classmethod
    def demo(cls, clock: SimClock | None = None, faults: Faults | None = None, **kwargs):
        """The demo company's Q2 users and 30 days of time cards ending now."""
        sim = cls(clock=clock or SimClock(), faults=faults, **kwargs)
        for user, site in demo_users(sim.company_time_zone):
            sim.users.append(user)
            sim._sites[user.seq] = site
        now = sim.clock.now()
        sim._play(now - timedelta(days=30), now)
        sim._activity_until = now
        return sim

    @classmethod
    def large(
        cls,
        *,
        time_cards: int = 1_000_000,
        users: int = 500,
        clock: SimClock | None = None,
        **kwargs,
    ):
        """``users`` synthetic users and ``time_cards`` closed cards generated by index, the last
        ones ending today; nothing is held per card, and the clock adds nothing."""
        sim = cls(clock=clock or SimClock(), **kwargs)
        now = sim.clock.now()
        created = now - timedelta(days=time_cards // users + 60)
        sim.users = large_users(users, created, sim.company_time_zone)
        sim.history = GeneratedCards(sim.users, time_cards, end=now - timedelta(days=1))
        return sim

    def credentials(self) -> dict[str, str]:
        return {"company_id": self.company_id, "developer_token": self.developer_token}

    def rotate_token(self) -> str:
        """An admin regenerated the developer token: the old one is "not correct" from now on."""
        self._token_generation += 1
        self.developer_token = f"q2-{self.seed:04d}{self._token_generation:04d}a7e3c9d1b5f2"
        return self.developer_token

    # -- the clock moving on ------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock.now()
        if now > self._activity_until:
            self._play(self._activity_until, now)
            self._activity_until = now

    def _play(self, start: datetime, end: datetime) -> None:
        """Apply everything the users do in (start, end], in time order."""
        if not self._sites:
            return
        events: list[tuple[datetime, int, int, Planned | None]] = []
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last_day = end.astimezone(self.zone).date()
        while day <= last_day:
            for user in self.users:
                for order, planned in enumerate(self._plan(user, day)):
                    if start < planned.at <= end:
                        events.append((planned.at, user.seq, order, planned))
            if day.weekday() == 0:  # managers approve last week's cards on Monday morning
                approval = datetime.combine(day, time(10), tzinfo=self.zone).astimezone(UTC)
                if start < approval <= end:
                    events.append((approval, -1, 0, None))
            day += timedelta(days=1)
        for at, seq, _, planned in sorted(events, key=lambda e: e[:3]):
            if planned is None:
                self._approve_week(at)
            else:
                self._apply(self.users[seq], planned)
        self._forget_old_plans(last_day)

    def _plan(self, user: User, day: date) -> list[Planned]:
        key = (user.seq, day)
        if key not in self._plans:
            self._plans[key] = day_plan(user, self._sites[user.seq], day, self.zone)
        return self._plans[key]

    def _forget_old_plans(self, today: date) -> None:
        if len(self._plans) > 20 * max(len(self.users), 1):
            keep_from = today - timedelta(days=3)
            self._plans = {k: v for k, v in self._plans.items() if k[1] >= keep_from}

    def _apply(self, user: User, planned: Planned) -> None:
        details = planned.details
        if planned.kind == "in":
            if user.seq in self.cards.open_by_user:
                return
            lat, lon = details["coordinates"]
            extras = {"inDeviceId": details["device"], "inIp": details["ip"]}
            if details["mobile"]:
                extras.update(inLatitude=lat, inLongitude=lon)
            card = TimeCard(
                user, JOB, planned.card_time, None, planned.at, planned.at,
                job_name=job_name(user.department), shift_name=details["shift_name"],
                extras={k: v for k, v in extras.items() if v},
            )  # fmt: skip
            if details["note"]:
                card.extras.update(employeeNote=details["note"], employeeNoteIsRead="0")
            self.cards.add(card)
        elif planned.kind == "out":
            card = self.cards.clock_out(user, planned.card_time)
            if card is None:
                return
            card.updated_at = planned.at
            for side in ("DeviceId", "Ip", "Latitude", "Longitude"):
                if f"in{side}" in card.extras:
                    card.extras[f"out{side}"] = card.extras[f"in{side}"]
            if card.extras.get("employeeNote"):
                card.extras["employeeNoteDateTime"] = q2.format_time(planned.card_time, self.zone)
            if details.get("fixed"):
                card.extras.update(
                    managerComment="Forgot to clock out, corrected from the shift plan.",
                    managerCommentDateTime=q2.format_time(planned.at, self.zone),
                    managerCommentManagerFullName=self._manager_of(user),
                    managerCommentIsRead="0",
                )
        elif planned.kind == "pto":
            self.cards.add(
                TimeCard(user, PTO, planned.card_time, None, planned.at, planned.at,
                         hours="8.000", pto_name=details["pto_name"])
            )  # fmt: skip
        elif planned.kind == "adjust":
            card = TimeCard(user, details["entry_type"], planned.card_time, None, planned.at,
                            planned.at, hours=details["hours"],
                            adjust_type_name=details["adjust_type_name"])  # fmt: skip
            self.cards.add(card)

    def _approve_week(self, at: datetime) -> None:
        monday = at.astimezone(self.zone).date()
        week_start = datetime.combine(monday - timedelta(days=7), time(0), tzinfo=self.zone)
        week_end = datetime.combine(monday, time(0), tzinfo=self.zone)
        for card in self.cards.since(week_start.astimezone(UTC)):
            if card.in_at >= week_end or card.approved_manager:
                continue
            if card.entry_type == JOB and card.out_at is None:
                continue  # still open: nothing to approve yet
            card.approved_manager = self._manager_of(card.user)
            card.approved_by_employee = True
            card.updated_at = at

    def _manager_of(self, user: User) -> str:
        if user.point_of_contact:
            return user.point_of_contact
        admin = next((u for u in self.users if u.role == "Admin"), user)
        return admin.full_name

    # -- HTTP ---------------------------------------------------------------------------------
    def routes(self) -> Iterable[Rule]:
        return [Rule(q2.PATH, endpoint="command", methods=["GET", "POST"])]

    def not_found(self, request: Request) -> Response:
        return q2.gateway("Missing Authentication Token", 403)

    def method_not_allowed(self, request: Request, exc: MethodNotAllowed) -> Response:
        return q2.gateway("Missing Authentication Token", 403)

    def before_request(self, request: Request) -> Response | None:
        faults = self.vendor_faults
        if faults.gateway_timeout_next > 0:
            faults.gateway_timeout_next -= 1
            return q2.gateway("Endpoint request timed out", 504)
        if faults.throttle_next > 0:
            faults.throttle_next -= 1
            return q2.gateway("Too Many Requests", 429)
        if faults.html_200_next > 0:
            faults.html_200_next -= 1
            return Response(MAINTENANCE_HTML, status=200, mimetype="text/html")
        return None

    def command(self, request: Request) -> Response:
        params = q2.read_params(request, accept_form=self.quirks.form_body_accepted)
        handler = {
            q2.QUERY_TIME_CARDS: self._query_time_cards,
            q2.QUERY_USERS: self._query_users,
        }.get(params.get("cmd", "").strip())
        if params.get("companyId", "").strip() != self.company_id:
            return q2.error(q2.COMPANY_NOT_FOUND)
        if params.get("developerToken", "").strip() != self.developer_token:
            return q2.error(q2.TOKEN_NOT_CORRECT)
        if handler is None:
            return q2.error(q2.COMMAND_NOT_FOUND)
        return handler(params)

    # -- commands -----------------------------------------------------------------------------
    def _query_time_cards(self, params: dict[str, str]) -> Response:
        try:
            offset = self._offset(params)
            start = q2.parse_time(params.get("dateTimeFrom", ""), self.zone)
            end = q2.parse_time(params.get("dateTimeTo", ""), self.zone)
        except _Refusal as refusal:
            return q2.error(str(refusal))
        except ValueError:
            return q2.error(q2.BAD_DATE_TIME)
        users = self._matching_users(params)
        if isinstance(users, Response):
            return users
        if offset is None:
            return q2.success([], q2.END_OF_DATA)
        limit = q2.page_size(params.get("maxRecords", ""))
        generated = self.history.select(start, end, users) if self.history else None
        old = len(generated) if generated else 0
        live = self.cards.select(start, end, users)
        page: list[TimeCard] = generated.page(offset, limit) if generated and offset < old else []
        if len(page) < limit:
            skip = max(0, offset - old)
            page += live[skip : skip + limit - len(page)]
        wanted = q2.columns(params.get("returnColumns", ""))
        rows = [
            card.to_json(self.zone, self.server_zone, self.quirks.numeric_flags, wanted)
            for card in page
        ]
        return q2.success(rows, self._next_record(offset, len(page), limit, old + len(live)))

    def _query_users(self, params: dict[str, str]) -> Response:
        try:
            offset = self._offset(params)
            windows = [
                (field, q2.parse_time(params.get(f"{name}From", ""), self.server_zone),
                 q2.parse_time(params.get(f"{name}To", ""), self.server_zone))
                for field, name in USER_WINDOWS
            ]  # fmt: skip
        except _Refusal as refusal:
            return q2.error(str(refusal))
        except ValueError:
            return q2.error(q2.BAD_DATE_TIME)
        chosen = self._matching_users(params)
        if isinstance(chosen, Response):
            return chosen
        role = params.get("role", "").strip()
        if role.upper() not in q2.ALL_ROLES and role.lower() not in {r.lower() for r in q2.ROLES}:
            return q2.error(q2.ROLE_NOT_FOUND)
        if offset is None:
            return q2.success([], q2.END_OF_DATA)
        rows = [
            user
            for user in sorted(self.users, key=lambda u: (u.created_at, u.seq))
            if (chosen is None or user.seq in chosen)
            and (role.upper() in q2.ALL_ROLES or user.role.lower() == role.lower())
            and all(_within(getattr(user, field), lo, hi) for field, lo, hi in windows)
        ]
        limit = q2.page_size(params.get("maxRecords", ""))
        page = rows[offset : offset + limit]
        data = [user.to_json(self.server_zone) for user in page]
        return q2.success(data, self._next_record(offset, len(page), limit, len(rows)))

    # -- parameter helpers --------------------------------------------------------------------
    def _offset(self, params: dict[str, str]) -> int | None:
        """``nextRecord`` as an offset; None when the client sent "-1" (nothing left)."""
        raw = params.get("nextRecord", "").strip() or "0"
        if raw == q2.END_OF_DATA:
            return None
        if not raw.isdigit():
            raise _Refusal(q2.BAD_NEXT_RECORD)
        return int(raw)

    def _next_record(self, offset: int, served: int, limit: int, total: int) -> str:
        if self.vendor_faults.repeat_next_record > 0 and served:
            self.vendor_faults.repeat_next_record -= 1
            return str(offset)
        more = offset + served < total or (self.quirks.extra_empty_page and served == limit)
        return str(offset + served) if more and served else q2.END_OF_DATA

    def _matching_users(self, params: dict[str, str]) -> set[int] | None | Response:
        """Users picked by ``userFullName`` and ``departmentName`` (MySQL compares without case);
        None when both say "all"."""
        name = params.get("userFullName", "").strip()
        department = params.get("departmentName", "").strip()
        chosen: set[int] | None = None
        if name.upper() not in q2.ALL_USERS:
            chosen = {u.seq for u in self.users if u.full_name.lower() == name.lower()}
            if not chosen:
                return q2.error(q2.USER_NOT_FOUND)
        if department.upper() not in q2.ALL_DEPARTMENTS:
            wanted = department.lower()
            in_department = {u.seq for u in self.users if u.department.lower() == wanted}
            if not in_department:
                return q2.error(q2.DEPARTMENT_NOT_FOUND)
            chosen = in_department if chosen is None else chosen & in_department
        return chosen


def _within(value: datetime, lo: datetime | None, hi: datetime | None) -> bool:
    return (lo is None or value >= lo) and (hi is None or value <= hi)


class _Refusal(Exception):
    """A parameter the server refuses, carrying its message."""
