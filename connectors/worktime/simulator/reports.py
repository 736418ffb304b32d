"""The payroll and attendance reports, computed from attendance records.

Pay model (the document only says "calculated salaries, overtime, and penalties"): ``salary`` is
annual; the hourly rate spreads it over 260 scheduled shifts a year; hours beyond the scheduled
shift are overtime at 1.5×; late and early-departure minutes are deducted at the hourly rate.
Open records (no clock-out yet) count as days worked but add no hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from connectors.worktime.simulator.records import AttendanceRecord, Employee

SHIFTS_PER_YEAR = 260
OVERTIME_FACTOR = 1.5
CURRENCY = "EUR"

RecordsFor = Callable[[Employee], list[AttendanceRecord]]


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def payroll_row(employee: Employee, records: list[AttendanceRecord]) -> dict:
    shift_hours = employee.shift_minutes / 60
    rate = employee.salary / (SHIFTS_PER_YEAR * shift_hours)
    closed = [r for r in records if r.work_hours is not None]
    hours = sum(r.work_hours for r in closed)
    overtime = sum(max(0.0, r.work_hours - shift_hours) for r in closed)
    late = sum(r.late_minutes for r in records)
    early = sum(r.early_departure_minutes for r in records)
    base_pay = (hours - overtime) * rate
    overtime_pay = overtime * rate * OVERTIME_FACTOR
    penalties = (late + early) / 60 * rate
    return {
        "employee_id": employee.id,
        "employee_name": employee.name,
        "department": employee.department.name if employee.department else None,
        "position": employee.position,
        "salary": employee.to_json()["salary"],
        "hourly_rate": _money(rate),
        "days_worked": len({r.date for r in records}),
        "work_hours": round(hours, 2),
        "regular_hours": round(hours - overtime, 2),
        "overtime_hours": round(overtime, 2),
        "late_minutes": late,
        "early_departure_minutes": early,
        "base_pay": _money(base_pay),
        "overtime_pay": _money(overtime_pay),
        "penalties": _money(penalties),
        "net_pay": _money(base_pay + overtime_pay - penalties),
    }


def payroll_report(employees: Iterable[Employee], records_for: RecordsFor, start: date, end: date):
    rows = []
    for employee in employees:
        records = records_for(employee)
        if employee.status == "active" or records:
            rows.append(payroll_row(employee, records))
    totals = {
        key: _money(sum(row[key] for row in rows))
        for key in (
            "work_hours",
            "overtime_hours",
            "base_pay",
            "overtime_pay",
            "penalties",
            "net_pay",
        )
    }
    return {
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "currency": CURRENCY,
        "employees": rows,
        "totals": totals,
    }


def _working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def attendance_row(
    employee: Employee, records: list[AttendanceRecord], start: date, end: date
) -> dict:
    first = max(start, employee.start_date) if employee.start_date else start
    present = {r.date for r in records}
    absent = [d for d in _working_days(first, end) if d not in present]
    return {
        "employee_id": employee.id,
        "employee_name": employee.name,
        "department": employee.department.name if employee.department else None,
        "days_present": len(present),
        "work_hours": round(sum(r.work_hours or 0 for r in records), 2),
        "late_arrivals": sum(1 for r in records if r.late_minutes),
        "late_minutes": sum(r.late_minutes for r in records),
        "early_departures": sum(1 for r in records if r.early_departure_minutes),
        "early_departure_minutes": sum(r.early_departure_minutes for r in records),
        "absences": len(absent),
        "absent_dates": [d.isoformat() for d in absent],
    }


def attendance_report(
    employees: Iterable[Employee], records_for: RecordsFor, start: date, end: date, today: date
):
    last = min(end, today)
    rows = []
    for employee in employees:
        records = records_for(employee)
        if employee.status == "active" or records:
            rows.append(attendance_row(employee, records, start, last))
    summary = {
        key: sum(row[key] for row in rows)
        for key in ("days_present", "late_arrivals", "early_departures", "absences")
    }
    summary["work_hours"] = round(sum(row["work_hours"] for row in rows), 2)
    summary["employees"] = len(rows)
    return {
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat()},
        "employees": rows,
        "summary": summary,
    }


PAYROLL_COLUMNS = [
    "employee_id", "employee_name", "department", "position", "salary", "hourly_rate",
    "days_worked", "work_hours", "regular_hours", "overtime_hours", "late_minutes",
    "early_departure_minutes", "base_pay", "overtime_pay", "penalties", "net_pay",
]  # fmt: skip
ATTENDANCE_COLUMNS = [
    "employee_id", "employee_name", "department", "days_present", "work_hours", "late_arrivals",
    "late_minutes", "early_departures", "early_departure_minutes", "absences",
]  # fmt: skip
