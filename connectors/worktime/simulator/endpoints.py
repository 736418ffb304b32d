"""The API's handlers: organization, employees, attendance and clock, reports, smart locks.

A mixin of :class:`~connectors.worktime.simulator.app.WorkTimeSimulator`, which owns the state,
the request pipeline (auth, budget) and the paging helpers these use.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from werkzeug.wrappers import Request, Response

from connectors.worktime.simulator.attendance import AttendanceQuery
from connectors.worktime.simulator.envelope import (
    api,
    date_range,
    invalid,
    json_body,
    not_found,
    ok,
    parse_date,
    parse_timestamp,
    required,
)
from connectors.worktime.simulator.records import (
    ACTIVE,
    INACTIVE,
    STATUSES,
    Employee,
    LockEvent,
    SmartLock,
)
from connectors.worktime.simulator.reports import (
    ATTENDANCE_COLUMNS,
    PAYROLL_COLUMNS,
    attendance_report,
    payroll_report,
)
from connectors.worktime.simulator.seed import shift_start_for
from connectors.worktime.simulator.xlsx import XLSX_MIME, workbook

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Endpoints:
    # -- organization and employees -----------------------------------------------------------
    @api
    def get_organization(self, request: Request) -> Response:
        org = self.organization
        return ok(
            {
                "id": org["id"],
                "name": org["name"],
                "employees_count": self.directory.count_status(ACTIVE),
                "created_at": org["created_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )

    @api
    def list_employees(self, request: Request) -> Response:
        paging = self._page(request)
        department = request.args.get("department") or None
        status = request.args.get("status") or None
        if status is not None and status not in STATUSES:
            raise invalid("status", "The 'status' field must be one of: active, inactive")
        if status is None and not self.quirks.soft_deleted_in_default_list:
            status = ACTIVE
        offset, limit = self._rows_of_page(paging)
        total, rows = self.directory.page(department, status, offset, limit)
        return ok([e.to_json() for e in rows], pagination=paging.block(total))

    def _employee(self, employee_id: str) -> Employee:
        employee = self.directory.by_id(employee_id)
        if employee is None:
            raise not_found("Employee")
        return employee

    @api
    def get_employee(self, request: Request, employee_id: str) -> Response:
        return ok(self._employee(employee_id).to_json())

    @api
    def create_employee(self, request: Request) -> Response:
        fields = self._employee_fields(json_body(request), current=None)
        now = self.clock.now()
        fields.setdefault("shift_start", shift_start_for(fields.get("department")))
        defaults = {"department": None, "position": "", "salary": 0, "start_date": None}
        new_id = self.directory.new_id()
        employee = self.directory.add(
            lambda index: Employee(
                id=new_id, index=index, status=ACTIVE, created_at=now, **{**defaults, **fields}
            )
        )
        self._emit("employee.created", now, employee.to_json())
        return ok(employee.to_json(), 201)

    @api
    def update_employee(self, request: Request, employee_id: str) -> Response:
        employee = self._employee(employee_id)
        fields = self._employee_fields(json_body(request), current=employee)
        updated = dataclasses.replace(employee, **fields)
        if updated != employee:
            self.directory.replace(updated)
            self._emit("employee.updated", self.clock.now(), updated.to_json())
        return ok(updated.to_json())

    @api
    def delete_employee(self, request: Request, employee_id: str) -> Response:
        """Soft delete: the record stays, ``status`` becomes ``inactive`` (restorable by PUT)."""
        employee = self._employee(employee_id)
        if employee.status != INACTIVE:
            employee = self.directory.replace(dataclasses.replace(employee, status=INACTIVE))
            self._emit("employee.deleted", self.clock.now(), employee.to_json())
        return ok(employee.to_json())

    def _employee_fields(self, body: dict, current: Employee | None) -> dict:
        """Validated fields of a create (``current`` None) or update body; first error wins."""
        fields: dict = {}
        creating = current is None
        for name in ("name", "email"):
            if creating and (body.get(name) is None or body.get(name) == ""):
                raise required(name)
        if "name" in body:
            if not isinstance(body["name"], str) or not body["name"].strip():
                raise invalid("name", "The 'name' field must be a non-empty string")
            fields["name"] = body["name"].strip()
        if "email" in body:
            email = body["email"]
            if not isinstance(email, str) or not _EMAIL.match(email.strip()):
                raise invalid("email", "The 'email' field must be a valid e-mail address")
            owner = self.directory.index_of_email(email)
            if owner is not None and (creating or owner != current.index):
                raise invalid("email", "The email has already been taken")
            fields["email"] = email.strip()
        if "department_id" in body:
            department = body["department_id"]
            if department is not None and department not in self.directory.departments:
                raise invalid("department_id", "The selected department does not exist")
            fields["department"] = self.directory.departments.get(department)
            fields["shift_start"] = shift_start_for(fields["department"])
        if "position" in body:
            if not isinstance(body["position"], str):
                raise invalid("position", "The 'position' field must be a string")
            fields["position"] = body["position"]
        if "salary" in body:
            salary = body["salary"]
            if isinstance(salary, bool) or not isinstance(salary, int | float) or salary < 0:
                raise invalid("salary", "The 'salary' field must be a number of at least 0")
            fields["salary"] = salary
        if "start_date" in body:
            value = body["start_date"]
            fields["start_date"] = None if value is None else parse_date(value, "start_date")
        if "status" in body and not creating:
            if body["status"] not in STATUSES:
                raise invalid("status", "The 'status' field must be one of: active, inactive")
            fields["status"] = body["status"]
        return fields

    # -- attendance ---------------------------------------------------------------------------
    @api
    def list_attendance(self, request: Request) -> Response:
        start, end = date_range(request)
        args = request.args
        employee_id, lock_id = args.get("employee_id") or None, args.get("lock_id") or None
        query = AttendanceQuery(employee_id, start, end, lock_id)
        if not self.quirks.paginate_beyond_employees:
            return ok([r.to_json() for r in self.attendance.all(query)])
        paging = self._page(request)
        offset, limit = self._rows_of_page(paging)
        total, rows = self.attendance.page(query, offset, limit)
        return ok([r.to_json() for r in rows], pagination=paging.block(total))

    @api
    def record_clock(self, request: Request) -> Response:
        body = json_body(request)
        if not body.get("employee_id"):
            raise required("employee_id")
        employee = self.directory.by_id(str(body["employee_id"]))
        if employee is None:
            raise invalid("employee_id", "The selected employee does not exist")
        if employee.status != ACTIVE:
            raise invalid("employee_id", "The employee is inactive")
        kind = body.get("type")
        if not kind:
            raise required("type")
        if kind not in ("clock_in", "clock_out"):
            raise invalid("type", "The 'type' field must be clock_in or clock_out")
        when = self.clock.now()
        if body.get("timestamp") is not None:
            when = parse_timestamp(body["timestamp"], "timestamp")
        lock_id = body.get("lock_id")
        if lock_id is not None and lock_id not in self.locks:
            raise invalid("lock_id", "The selected smart lock does not exist")
        if body.get("notes") is not None and not isinstance(body["notes"], str):
            raise invalid("notes", "The 'notes' field must be a string")
        open_record = self.attendance.live.open_by_employee.get(employee.id)
        if kind == "clock_in":
            if open_record is not None:
                raise invalid("type", "The employee is already clocked in")
            record = self._clock_in(employee, when, lock_id, "manual")
        else:
            if open_record is None:
                raise invalid("type", "The employee is not clocked in")
            if when <= open_record.clock_in:
                raise invalid("timestamp", "The clock-out time must be after the clock-in time")
            record = self._clock_out(employee, when)
        return ok(record.to_json(), 201)

    # -- reports ------------------------------------------------------------------------------
    def _report_employees(self, request: Request) -> list[Employee]:
        if request.args.get("employee_id"):
            return [self._employee(request.args["employee_id"])]
        department = request.args.get("department") or None
        total, _ = self.directory.page(department, None, 0, 0)
        return self.directory.page(department, None, 0, total)[1]

    @staticmethod
    def _report_format(request: Request) -> str:
        value = request.args.get("format") or "json"
        if value not in ("json", "excel"):
            raise invalid("format", "The 'format' field must be json or excel")
        return value

    def _records_for(self, start: date, end: date):
        return lambda employee: self.attendance.all(AttendanceQuery(employee.id, start, end))

    def _excel(self, name: str, columns: list[str], rows: list[dict], start: date, end: date):
        content = workbook(name, columns, [[row[c] for c in columns] for row in rows])
        filename = f"{name.lower()}_{start.isoformat()}_{end.isoformat()}.xlsx"
        headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
        return Response(content, status=200, headers=headers, mimetype=XLSX_MIME)

    @api
    def report_payroll(self, request: Request) -> Response:
        start, end = date_range(request, needed=True)
        fmt = self._report_format(request)
        employees = self._report_employees(request)
        report = payroll_report(employees, self._records_for(start, end), start, end)
        if fmt == "excel":
            return self._excel("Payroll", PAYROLL_COLUMNS, report["employees"], start, end)
        return ok(report)

    @api
    def report_attendance(self, request: Request) -> Response:
        today = self.clock.now().astimezone(self.zone).date()
        start, end = date_range(request)
        start = start or (end or today).replace(day=1)
        end = end or today
        if end < start:
            raise invalid("end_date", "The 'end_date' must not be before 'start_date'")
        fmt = self._report_format(request)
        employees = self._report_employees(request)
        report = attendance_report(employees, self._records_for(start, end), start, end, today)
        if fmt == "excel":
            return self._excel("Attendance", ATTENDANCE_COLUMNS, report["employees"], start, end)
        return ok(report)

    # -- smart locks --------------------------------------------------------------------------
    def _lock(self, lock_id: str) -> SmartLock:
        if lock_id not in self.locks:
            raise not_found("Smart lock")
        return self.locks[lock_id]

    @api
    def list_locks(self, request: Request) -> Response:
        return self._listing(request, list(self.locks.values()), SmartLock.to_json)

    @api
    def get_lock(self, request: Request, lock_id: str) -> Response:
        return ok(self._lock(lock_id).to_json())

    @api
    def lock_history_list(self, request: Request, lock_id: str) -> Response:
        lock = self._lock(lock_id)
        start, end = date_range(request)
        events = self.lock_history.query(
            lock.id, start, end, request.args.get("employee_id") or None
        )
        return self._listing(request, events, LockEvent.to_json)
