"""Q2's users and time cards as the simulator holds them, and how each renders.

Every value renders as a string (the quirks file), except that ``numeric_flags`` renders
``entryType`` and ``approvedByEmployee`` as numbers the way the document's sample shows them.
Time-card times are naive in the company's zone; ``createdDateTime``/``updateDateTime`` and the
users' ``createdDateTime``/``updatedDateTime`` are "our server time" (North Virginia).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from connectors.q2.simulator.protocol import format_time

JOB, PTO, ADDITION, DEDUCTION = 0, 1, 2, 3

TIME_CARD_COLUMNS = (
    "userFullName", "firstName", "lastName", "employeeNumber", "userName", "digitId",
    "inDateTime", "outDateTime", "hours", "entryType", "adjustHoursAmount", "jobName", "ptoName",
    "adjustTypeName", "shiftName", "employeeNote", "employeeNoteDateTime", "employeeNoteIsRead",
    "managerComment", "managerCommentDateTime", "managerCommentManagerFullName",
    "managerCommentIsRead", "inIp", "outIp", "inDeviceId", "outDeviceId", "inWifiId", "outWifiId",
    "inLatitude", "inLongitude", "outLatitude", "outLongitude", "entranceIn", "entranceOut",
    "approvedByEmployee", "approvedManagerFullName", "updateDateTime", "createdDateTime",
)  # fmt: skip


@dataclass
class User:
    seq: int  # internal order of creation
    first_name: str
    last_name: str
    user_name: str
    digit_id: str
    employee_number: str
    email: str
    mobile_phone: str
    role: str  # Admin, Manager, Employee, Inactive
    department: str
    hired: date
    full_part_time: str
    rate_type: str
    pay_rate: str
    time_zone: str
    point_of_contact: str
    date_of_birth: date
    over_time_rule: str
    created_at: datetime  # aware UTC
    updated_at: datetime
    memo: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def to_json(self, server_zone: tzinfo) -> dict[str, str]:
        return {
            "userFullName": self.full_name,
            "userName": self.user_name,
            "digitId": self.digit_id,
            "employeeNumber": self.employee_number,
            "email": self.email,
            "mobilePhone": self.mobile_phone,
            "role": self.role,
            "updatedDateTime": format_time(self.updated_at, server_zone),
            "createdDateTime": format_time(self.created_at, server_zone),
            "overTimeRule": self.over_time_rule,
            "departmentName": self.department,
            "hiredDate": self.hired.isoformat(),
            "fullPartTime": self.full_part_time,
            "rateType": self.rate_type,
            "payRate": self.pay_rate,
            "timeZone": self.time_zone,
            "pointOfContact": self.point_of_contact,
            "dateOfBirth": self.date_of_birth.isoformat(),
            "memo": self.memo,
        }


@dataclass
class TimeCard:
    user: User
    entry_type: int
    in_at: datetime  # aware UTC: clock-in, or the start of a PTO/adjustment
    out_at: datetime | None  # None: not clocked out, or not applicable (PTO, adjustments)
    created_at: datetime
    updated_at: datetime
    hours: str = "0.000"  # PTO/adjustment hours (or an amount); not applicable to jobs
    adjust_hours_amount: str = "0"  # 0 hours, 1 amount
    job_name: str = ""
    pto_name: str = ""
    adjust_type_name: str = ""
    shift_name: str = ""
    approved_by_employee: bool = False
    approved_manager: str = ""
    #: the rarely filled columns (notes, devices, locations) only where set
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def sort_key(self) -> datetime:
        return self.in_at

    def to_json(
        self, zone: tzinfo, server_zone: tzinfo, numeric_flags: bool, wanted: list[str] | None
    ) -> dict:
        user = self.user
        row = dict.fromkeys(TIME_CARD_COLUMNS, "")
        row.update(
            userFullName=user.full_name,
            firstName=user.first_name,
            lastName=user.last_name,
            employeeNumber=user.employee_number,
            userName=user.user_name,
            digitId=user.digit_id,
            inDateTime=format_time(self.in_at, zone),
            outDateTime=format_time(self.out_at, zone),
            hours=self.hours,
            entryType=self.entry_type if numeric_flags else str(self.entry_type),
            adjustHoursAmount=self.adjust_hours_amount,
            jobName=self.job_name,
            ptoName=self.pto_name,
            adjustTypeName=self.adjust_type_name,
            shiftName=self.shift_name,
            approvedByEmployee=(int if numeric_flags else str)(int(self.approved_by_employee)),
            approvedManagerFullName=self.approved_manager,
            updateDateTime=format_time(self.updated_at, server_zone),
            createdDateTime=format_time(self.created_at, server_zone),
        )
        row.update(self.extras)
        if wanted is None:
            return row
        return {name: row[name] for name in wanted if name in row}
