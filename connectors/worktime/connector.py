"""WorkTime One as a Workgate connector: employees, attendance as punches, TTLock smart locks as
doors and devices with their history, manual clock in/out, payroll and attendance reports.

Identity: WorkTime One has no employee-code field (an unknown field in a body is dropped), so
its people come with an empty ``code`` and match on e-mail, which WorkTime keeps unique
(case-insensitively). :meth:`find_person` therefore takes a WorkTime id (``emp_…``) or an
e-mail; a portal employee code finds nobody there. Terminating is WorkTime's soft delete (no
date or reason is kept); rehiring restores with ``PUT {"status": "active"}``.

Every request spends the key's hourly budget: see :mod:`connectors.worktime.budget` for the
pacing policy, and :meth:`rate_limit_state` for the numbers the last answer gave.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from connectors import errors
from connectors.base import Connector
from connectors.records import Capabilities, Page, PersonRecord, PunchRecord, ServerIdentity
from connectors.timezones import zone
from connectors.worktime import mapping, streams
from connectors.worktime.budget import RateLimitState
from connectors.worktime.client import WorkTimeClient

ORGANIZATION = "/organization"


class WorkTimeConnector(Connector):
    kind = "worktime"
    capabilities = Capabilities(
        reads=frozenset({"people", "punches", "doors", "devices", "lock_events"}),
        writes=frozenset({"people", "punches"}),  # punches: manual clock in/out
        deletes=frozenset({"people"}),  # a soft delete, restorable
    )
    #: attendance re-read before the newest stored day: a clock-out closes a record days later
    #: (a night shift, a forgotten clock-out fixed by a manager)
    PUNCH_OVERLAP: ClassVar[timedelta] = timedelta(days=2)
    #: lock history re-read before the newest stored day: locks without a gateway upload their
    #: openings only when a phone next syncs with them
    LOCK_OVERLAP: ClassVar[timedelta] = timedelta(days=2)

    def __init__(
        self,
        base_url,
        credentials,
        options=None,
        *,
        transport=None,
        sleep=time.sleep,
        now: Callable[[], float] = time.time,
        **kwargs,
    ):
        super().__init__(base_url, credentials, options, transport=transport, sleep=sleep)
        api_key = str(self.credentials.get("api_key") or "").strip()
        if not api_key:
            raise errors.AuthenticationError(
                "The WorkTime One account has no API key; create one under Settings → API Keys."
            )
        self.client = WorkTimeClient(
            base_url,
            api_key,
            now=now,
            options=self.options,
            transport=transport,
            sleep=self.sleep,
            **kwargs,
        )
        self._departments: dict[str, str] = {}  # department name (lower case) → WorkTime id

    def check(self) -> ServerIdentity:
        try:
            org = self.client.get_data(ORGANIZATION)
        except errors.NotFoundError as exc:
            raise errors.NotFoundError(
                f"WorkTime One has no {ORGANIZATION} under {self.client.base_url}; the base URL should "
                "end in /v1 (https://api.worktime.one/v1).",
                status_code=exc.status_code,
            ) from None
        org = org if isinstance(org, Mapping) else {}
        rate = self.rate_limit_state()
        return ServerIdentity(
            vendor="WorkTime One",
            server=self.client.base_url,
            version="v1",
            user=mapping.text(org.get("name")),
            details={
                "organization_id": mapping.text(org.get("id")),
                "organization": mapping.text(org.get("name")),
                "employees": mapping.to_int(org.get("employees_count")),
                "plan": rate.plan,
                "rate_limit": rate.as_dict(),
            },
        )

    def rate_limit_state(self) -> RateLimitState:
        """Limit, remaining and reset of the key's hourly budget, as the last answer said."""
        return self.client.rate_limit_state()

    # -- reads ------------------------------------------------------------------------------
    def _today(self) -> date:
        return streams.local_today(self.client.now(), self.options.time_zone)

    def read_people(self, cursor: str | None = None) -> Iterator[Page]:
        return streams.read_people(self.client, cursor)

    def read_punches(self, cursor: str | None = None) -> Iterator[Page]:
        return streams.read_punches(self.client, cursor, self.PUNCH_OVERLAP, self._today())

    def read_doors(self, cursor: str | None = None) -> Iterator[Page]:
        tz = self.options.time_zone
        return streams.read_locks(self.client, cursor, lambda raw: mapping.door_from_lock(raw, tz))

    def read_devices(self, cursor: str | None = None) -> Iterator[Page]:
        tz = self.options.time_zone
        return streams.read_locks(
            self.client, cursor, lambda raw: mapping.device_from_lock(raw, tz)
        )

    def read_lock_events(self, cursor: str | None = None) -> Iterator[Page]:
        return streams.read_lock_events(self.client, cursor, self.LOCK_OVERLAP, self._today())

    # -- people -----------------------------------------------------------------------------
    def get_person(self, vendor_id: str) -> PersonRecord | None:
        try:
            raw = self.client.get_data(f"{streams.EMPLOYEES}/{vendor_id}")
        except errors.NotFoundError:
            return None
        return self._person(raw)

    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        """The employee whose WorkTime id or e-mail is ``code``, else whose e-mail is ``email``.

        WorkTime keeps no employee code, so a portal code finds nobody. The API cannot filter
        by e-mail: that lookup reads the employee list (one request per 100 employees).
        """
        code = (code or "").strip()
        if code.startswith("emp_"):
            found = self.get_person(code)
            if found is not None:
                return found
        wanted = [value.strip().lower() for value in (code, email or "") if "@" in (value or "")]
        if not wanted:
            return None
        for raw in streams.employee_rows(self.client):
            self._learn_department(raw)
            if isinstance(raw, Mapping) and mapping.text(raw.get("email")).lower() in wanted:
                return self._person(raw)
        return None

    def create_person(self, person: PersonRecord) -> PersonRecord:
        """POST the employee; an e-mail already taken answers :class:`ConflictError`."""
        body = mapping.employee_body(person, self._department_id(person))
        return self._person(self.client.send("POST", streams.EMPLOYEES, body))

    def update_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        body = mapping.employee_body(person, self._department_id(person))
        return self._person(self.client.send("PUT", f"{streams.EMPLOYEES}/{vendor_id}", body))

    def terminate_person(
        self, vendor_id: str, on: date, reason: str = "", *, current: PersonRecord | None = None
    ) -> None:
        """WorkTime's soft delete (needs a Full Access key); it keeps no date or reason."""
        self.client.send("DELETE", f"{streams.EMPLOYEES}/{vendor_id}")

    def rehire_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        body = {
            **mapping.employee_body(person, self._department_id(person)),
            "status": mapping.ACTIVE,
        }
        return self._person(self.client.send("PUT", f"{streams.EMPLOYEES}/{vendor_id}", body))

    def _person(self, raw: Any) -> PersonRecord:
        person = mapping.person_from_employee(raw)
        if not isinstance(person, PersonRecord):
            raise errors.ProtocolError(
                f"WorkTime One answered with an employee we cannot read: {person.reason}"
            )
        self._learn_department(raw)
        return person

    def _learn_department(self, raw: Any) -> None:
        pair = mapping.department_pairs(raw)
        if pair:
            self._departments[pair[0].lower()] = pair[1]

    def _department_id(self, person: PersonRecord) -> str | None:
        """The WorkTime id of the person's department. The API lists no departments, so names are
        learnt from the employees it lists; an unknown name is refused rather than dropped."""
        if person.department_id or not person.department_name.strip():
            return person.department_id
        name = person.department_name.strip().lower()
        if name not in self._departments:
            for raw in streams.employee_rows(self.client):
                self._learn_department(raw)
                if name in self._departments:
                    break
        if name not in self._departments:
            raise errors.ValidationError(
                f"WorkTime One has no department named {person.department_name!r}; create it in WorkTime "
                "One (the API cannot) or change the person's department.",
                field="department_id",
            )
        return self._departments[name]

    # -- manual clock -----------------------------------------------------------------------
    def clock(
        self,
        employee_id: str,
        direction: str,
        at: datetime,
        *,
        lock_id: str | None = None,
        notes: str | None = None,
    ) -> PunchRecord:
        """Clock ``employee_id`` in or out at ``at`` (naive: the account's zone).

        Replays are harmless: when WorkTime answers that the person is already clocked in (or
        not clocked in) and a record with exactly this time exists, that earlier delivery got
        through and its punch is returned; otherwise :class:`ConflictError`.
        """
        if direction not in mapping.CLOCK_TYPE:
            raise errors.ValidationError(
                f"WorkTime One clocks only in or out, not {direction!r}.", field="direction"
            )
        tz = self.options.time_zone
        if at.tzinfo is None:
            at = at.replace(tzinfo=zone(tz))
        body = mapping.clock_body(employee_id, direction, at, tz, lock_id, notes)
        try:
            record = self.client.send("POST", f"{streams.ATTENDANCE}/clock", body)
        except errors.ConflictError:
            record = self._recorded_clock(employee_id, direction, at)
            if record is None:
                raise
        punches, _ = mapping.punches_from_attendance(record, tz)
        for punch in punches:
            if punch.direction == direction:
                return punch
        raise errors.ProtocolError(f"WorkTime One answered the clock-{direction} without its time.")

    def send_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str, *, note: str = ""
    ) -> PunchRecord:
        """A manual clock in or out, ``note`` sent as the document's ``notes``."""
        return self.clock(person_vendor_id, direction, occurred_at, notes=note or None)

    def find_punch(
        self, person_vendor_id: str, occurred_at: datetime, direction: str
    ) -> PunchRecord | None:
        """The attendance record whose clock-in (or clock-out) is exactly ``occurred_at``."""
        if direction not in mapping.CLOCK_TYPE:
            return None
        tz = self.options.time_zone
        if occurred_at.tzinfo is None:
            occurred_at = occurred_at.replace(tzinfo=zone(tz))
        record = self._recorded_clock(person_vendor_id, direction, occurred_at)
        if record is None:
            return None
        punches, _ = mapping.punches_from_attendance(record, tz)
        return next((p for p in punches if p.direction == direction), None)

    def _recorded_clock(self, employee_id: str, direction: str, at: datetime) -> Mapping | None:
        day = mapping.local_day(at, self.options.time_zone)
        params = {
            "employee_id": employee_id,
            "start_date": (day - timedelta(days=2)).isoformat(),
            "end_date": day.isoformat(),
        }
        for page in self.client.pages(streams.ATTENDANCE, params):
            for raw in page.rows:
                if (
                    not isinstance(raw, Mapping)
                    or mapping.ref(raw.get("employee_id")) != employee_id
                ):
                    continue
                recorded = mapping.punch_at(raw, direction, self.options.time_zone)
                if recorded is not None and abs((recorded - at).total_seconds()) < 1:
                    return raw
        return None

    # -- reports ----------------------------------------------------------------------------
    def payroll_report(self, start: date, end: date, *, employee_id: str | None = None) -> dict:
        """Salaries, overtime and penalties for ``start`` … ``end`` as WorkTime computes them."""
        return self._report("/reports/payroll", start, end, employee_id=employee_id)

    def attendance_report(
        self,
        start: date | None = None,
        end: date | None = None,
        *,
        employee_id: str | None = None,
        department: str | None = None,
    ) -> dict:
        """Work hours, late arrivals and absences (WorkTime defaults to this month so far)."""
        return self._report(
            "/reports/attendance", start, end, employee_id=employee_id, department=department
        )

    def _report(self, path: str, start: date | None, end: date | None, **filters) -> dict:
        params = {
            "start_date": start.isoformat() if start else None,
            "end_date": end.isoformat() if end else None,
            "format": "json",
            **filters,
        }
        data = self.client.get_data(path, params)
        if not isinstance(data, Mapping):
            raise errors.ProtocolError(f"WorkTime One answered {path} without a report object.")
        return dict(data)

    def close(self) -> None:
        self.client.close()
