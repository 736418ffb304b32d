"""The personnel side of a BioTime server: departments, areas, positions, employees, resignations
and terminals, with the validation DRF serializers do on create and update."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from connectors.biotime.simulator.records import (
    EMPLOYEE_BOOL_FIELDS,
    EMPLOYEE_DATE_FIELDS,
    EMPLOYEE_INT_FIELDS,
    EMPLOYEE_STR_FIELDS,
    TREE_KINDS,
    Employee,
    Node,
    Resign,
    Terminal,
    TreeKind,
)

REQUIRED = "This field is required."
DEFAULT_STAFF_PASSWORD = "123456"  # BioTime's default self-service password
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ApiError(Exception):
    """An answer other than success: ``status`` and a JSON ``body``."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def not_found() -> ApiError:
    return ApiError(404, {"detail": "Not found."})


class FieldErrors:
    """Collects DRF-style ``{field: [messages]}`` and raises them as one 400."""

    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(400, self.errors)


def _as_pk(value, name: str, errors: FieldErrors) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        errors.add(name, f"Incorrect type. Expected pk value, received {type(value).__name__}.")
        return None
    try:
        return int(value)
    except ValueError:
        errors.add(name, f"Incorrect type. Expected pk value, received {type(value).__name__}.")
        return None


def _as_date(value, name: str, errors: FieldErrors) -> str | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors.add(name, "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.")
        return None


def _as_bool(value, name: str, errors: FieldErrors) -> bool | None:
    if value in (True, 1, "true", "True", "1"):
        return True
    if value in (False, 0, "false", "False", "0"):
        return False
    errors.add(name, "Must be a valid boolean.")
    return None


def _as_int(value, name: str, errors: FieldErrors) -> int | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        errors.add(name, "A valid integer is required.")
        return None


def _as_str(value) -> str | None:
    return None if value is None else str(value)


@dataclass
class Directory:
    departments: dict[int, Node] = field(default_factory=dict)
    areas: dict[int, Node] = field(default_factory=dict)
    positions: dict[int, Node] = field(default_factory=dict)
    employees: dict[int, Employee] = field(default_factory=dict)
    resigns: dict[int, Resign] = field(default_factory=dict)
    terminals: dict[int, Terminal] = field(default_factory=dict)
    staff_passwords: dict[int, str] = field(default_factory=dict)
    _next_ids: dict[str, int] = field(default_factory=dict)
    _emp_by_code: dict[str, int] = field(default_factory=dict)
    _active_ids: list[int] | None = None  # employees shown in the list, cached between writes

    # -- ids and lookups ----------------------------------------------------------------------
    def next_id(self, table: str) -> int:
        table_rows = getattr(self, table)
        value = max(self._next_ids.get(table, 1), max(table_rows, default=0) + 1)
        self._next_ids[table] = value + 1
        return value

    def tree(self, kind: str) -> dict[int, Node]:
        return getattr(self, kind)

    def employee_by_code(self, emp_code: str) -> Employee | None:
        pk = self._emp_by_code.get(emp_code)
        return self.employees.get(pk) if pk is not None else None

    def resigned_ids(self) -> set[int]:
        return {r.employee_id for r in self.resigns.values()}

    def active_employee_ids(self) -> list[int]:
        """Employees the list shows: everybody not resigned, by id."""
        if self._active_ids is None:
            resigned = self.resigned_ids()
            self._active_ids = sorted(pk for pk in self.employees if pk not in resigned)
        return self._active_ids

    def staff_login(self, emp_code: str) -> tuple[int, str, str] | None:
        """(pk, self-service password, e-mail) of an active employee, for the staff logins."""
        employee = self.employee_by_code(emp_code)
        if employee is None or employee.id in self.resigned_ids():
            return None
        password = self.staff_passwords.get(employee.id, DEFAULT_STAFF_PASSWORD)
        return employee.id, password, employee.email or ""

    # -- seeding ------------------------------------------------------------------------------
    def add_node(self, kind: str, code: str, name: str, parent_id: int | None = None) -> Node:
        node = Node(self.next_id(kind), code, name, parent_id)
        self.tree(kind)[node.id] = node
        return node

    def add_employee(self, employee: Employee) -> Employee:
        self.employees[employee.id] = employee
        self._emp_by_code[employee.emp_code] = employee.id
        self._active_ids = None
        return employee

    def add_resign(self, employee_id: int, resign_date: str, reason: str = "") -> Resign:
        resign = Resign(self.next_id("resigns"), employee_id, resign_date, 1, True, reason)
        self.resigns[resign.id] = resign
        self._active_ids = None
        return resign

    def add_terminal(self, terminal: Terminal) -> Terminal:
        self.terminals[terminal.id] = terminal
        return terminal

    # -- departments, areas, positions --------------------------------------------------------
    def create_node(self, kind: str, body: dict) -> Node:
        spec = TREE_KINDS[kind]
        code, name, parent_id = self._validate_node(spec, body, existing=None, partial=False)
        node = Node(self.next_id(kind), code, name, parent_id)
        self.tree(kind)[node.id] = node
        return node

    def update_node(self, kind: str, pk: int, body: dict, *, partial: bool) -> Node:
        spec = TREE_KINDS[kind]
        node = self.get(self.tree(kind), pk)
        code, name, parent_id = self._validate_node(spec, body, existing=node, partial=partial)
        node.code, node.name, node.parent_id = code, name, parent_id
        return node

    def _validate_node(
        self, spec: TreeKind, body: dict, *, existing: Node | None, partial: bool
    ) -> tuple[str, str, int | None]:
        errors = FieldErrors()
        rows = self.tree(spec.path)
        values = {}
        for key, current in (
            (spec.code_key, existing.code if existing else None),
            (spec.name_key, existing.name if existing else None),
        ):
            if key in body:
                value = _as_str(body[key])
                if not value:
                    errors.add(key, "This field may not be blank." if value == "" else REQUIRED)
                elif len(value) > 50:
                    errors.add(key, "Ensure this field has no more than 50 characters.")
                values[key] = value
            elif partial and existing:
                values[key] = current
            else:
                errors.add(key, REQUIRED)
        code = values.get(spec.code_key)
        if code and any(n.code == code and n is not existing for n in rows.values()):
            label = spec.code_key.replace("_", " ")
            errors.add(spec.code_key, f"{spec.label} with this {label} already exists.")
        parent_id = existing.parent_id if existing else None
        if spec.parent_key in body:
            raw = body[spec.parent_key]
            parent_id = None if raw in (None, "") else _as_pk(raw, spec.parent_key, errors)
            if parent_id is not None and parent_id not in rows:
                errors.add(spec.parent_key, f'Invalid pk "{raw}" - object does not exist.')
            elif existing and parent_id and self._is_below(rows, parent_id, existing.id):
                errors.add(spec.parent_key, f"A {spec.label} cannot be its own parent.")
        errors.raise_if_any()
        return code, values[spec.name_key], parent_id

    @staticmethod
    def _is_below(rows: dict[int, Node], candidate: int, ancestor: int) -> bool:
        seen = set()
        while candidate is not None and candidate not in seen:
            if candidate == ancestor:
                return True
            seen.add(candidate)
            candidate = rows[candidate].parent_id if candidate in rows else None
        return False

    def delete_node(self, kind: str, pk: int) -> None:
        spec = TREE_KINDS[kind]
        rows = self.tree(kind)
        node = self.get(rows, pk)
        pk = node.id
        in_use = None
        if any(n.parent_id == pk for n in rows.values()):
            in_use = f"sub-{spec.path}"
        elif kind == "departments" and any(e.department_id == pk for e in self.employees.values()):
            in_use = "employees"
        elif kind == "areas" and (
            any(pk in e.area_ids for e in self.employees.values())
            or any(t.area_id == pk for t in self.terminals.values())
        ):
            in_use = "employees or devices"
        if in_use:
            label = spec.label.capitalize()
            detail = f'{label} "{node.name}" still has {in_use} and cannot be deleted.'
            raise ApiError(400, {"detail": detail})
        if kind == "positions":  # the foreign key is SET_NULL
            for employee in self.employees.values():
                if employee.position_id == pk:
                    employee.position_id = None
        del rows[pk]

    # -- employees ----------------------------------------------------------------------------
    def create_employee(self, body: dict, today: date) -> Employee:
        values = self._validate_employee(body, existing=None, partial=False)
        employee = Employee(
            id=self.next_id("employees"),
            emp_code=values.pop("emp_code"),
            department_id=values.pop("department_id"),
            area_ids=values.pop("area_ids"),
            hire_date=today.isoformat(),
        )
        for name, value in values.items():
            setattr(employee, name, value)
        return self.add_employee(employee)

    def update_employee(self, pk: int, body: dict, *, partial: bool) -> Employee:
        employee = self.get(self.employees, pk)
        values = self._validate_employee(body, existing=employee, partial=partial)
        if "emp_code" in values and values["emp_code"] != employee.emp_code:
            self._emp_by_code.pop(employee.emp_code, None)
            self._emp_by_code[values["emp_code"]] = employee.id
        for name, value in values.items():
            setattr(employee, name, value)
        return employee

    def delete_employee(self, pk: int) -> None:
        employee = self.get(self.employees, pk)
        pk = employee.id
        del self.employees[pk]
        self._emp_by_code.pop(employee.emp_code, None)
        for resign_id in [r.id for r in self.resigns.values() if r.employee_id == pk]:
            del self.resigns[resign_id]
        self._active_ids = None

    def _validate_employee(self, body: dict, *, existing: Employee | None, partial: bool) -> dict:
        errors = FieldErrors()
        values: dict = {}
        if not partial:
            for key in ("emp_code", "department", "area"):
                if key not in body:
                    errors.add(key, REQUIRED)
        if "emp_code" in body:
            code = _as_str(body["emp_code"])
            if not code:
                errors.add("emp_code", "This field may not be blank." if code == "" else REQUIRED)
            elif len(code) > 20:
                errors.add("emp_code", "Ensure this field has no more than 20 characters.")
            elif (other := self.employee_by_code(code)) is not None and other is not existing:
                errors.add("emp_code", "employee with this emp code already exists.")
            values["emp_code"] = code
        if "department" in body:
            raw = body["department"]
            pk = None if raw is None else _as_pk(raw, "department", errors)
            if raw is None:
                errors.add("department", "This field may not be null.")
            elif pk is not None and pk not in self.departments:
                errors.add("department", f'Invalid pk "{raw}" - object does not exist.')
            values["department_id"] = pk
        if "position" in body:
            raw = body["position"]
            pk = None if raw in (None, "") else _as_pk(raw, "position", errors)
            if pk is not None and pk not in self.positions:
                errors.add("position", f'Invalid pk "{raw}" - object does not exist.')
            values["position_id"] = pk
        if "area" in body:
            values["area_ids"] = self._validate_area_list(body["area"], errors)
        for name in EMPLOYEE_STR_FIELDS:
            if name in body:
                values[name] = _as_str(body[name])
        if values.get("email") and not _EMAIL.match(values["email"]):
            errors.add("email", "Enter a valid email address.")
        for name in EMPLOYEE_DATE_FIELDS:
            if name in body:
                values[name] = _as_date(body[name], name, errors)
        for name in EMPLOYEE_BOOL_FIELDS:
            if name in body:
                values[name] = _as_bool(body[name], name, errors)
        for name in EMPLOYEE_INT_FIELDS:
            if name in body:
                values[name] = _as_int(body[name], name, errors)
        errors.raise_if_any()
        return values

    def _validate_area_list(self, raw, errors: FieldErrors) -> list[int]:
        if not isinstance(raw, list):
            errors.add("area", f'Expected a list of items but got type "{type(raw).__name__}".')
            return []
        if not raw:
            errors.add("area", "This list may not be empty.")
        ids = []
        for item in raw:
            pk = _as_pk(item, "area", errors)
            if pk is not None and pk not in self.areas:
                errors.add("area", f'Invalid pk "{item}" - object does not exist.')
            elif pk is not None:
                ids.append(pk)
        return ids

    # -- resignations -------------------------------------------------------------------------
    def create_resign(self, body: dict) -> Resign:
        errors = FieldErrors()
        for key in ("employee", "resign_type", "disableatt", "resign_date"):
            if key not in body:
                errors.add(key, REQUIRED)
        employee_id = None
        if "employee" in body:
            employee_id = _as_pk(body["employee"], "employee", errors)
            if employee_id is not None and employee_id not in self.employees:
                errors.add("employee", f'Invalid pk "{body["employee"]}" - object does not exist.')
            elif employee_id in self.resigned_ids():
                errors.add("employee", "This employee has already resigned.")
        values = self._validate_resign_fields(body, errors)
        errors.raise_if_any()
        resign = Resign(
            id=self.next_id("resigns"),
            employee_id=employee_id,
            resign_date=values["resign_date"],
            resign_type=values["resign_type"],
            disableatt=values["disableatt"],
            reason=values.get("reason", ""),
        )
        self.resigns[resign.id] = resign
        self._active_ids = None
        return resign

    def update_resign(self, pk: int, body: dict) -> Resign:
        resign = self.get(self.resigns, pk)
        errors = FieldErrors()
        values = self._validate_resign_fields(body, errors)
        errors.raise_if_any()
        for name, value in values.items():
            setattr(resign, name, value)
        return resign

    @staticmethod
    def _validate_resign_fields(body: dict, errors: FieldErrors) -> dict:
        values = {}
        if "resign_type" in body:
            value = _as_int(body["resign_type"], "resign_type", errors)
            if value is not None and not 1 <= value <= 5:
                errors.add("resign_type", f'"{value}" is not a valid choice.')
            values["resign_type"] = value
        if "disableatt" in body:
            values["disableatt"] = _as_bool(body["disableatt"], "disableatt", errors)
        if "resign_date" in body:
            values["resign_date"] = _as_date(body["resign_date"], "resign_date", errors)
            if values["resign_date"] is None and "resign_date" not in errors.errors:
                errors.add("resign_date", "This field may not be null.")
        if "reason" in body:
            reason = _as_str(body["reason"]) or ""
            if len(reason) > 200:
                errors.add("reason", "Ensure this field has no more than 200 characters.")
            values["reason"] = reason
        return values

    def delete_resign(self, pk: int) -> None:
        del self.resigns[self.get(self.resigns, pk).id]
        self._active_ids = None

    def reinstate(self, body: dict) -> list[int]:
        errors = FieldErrors()
        raw = body.get("resigns")
        if raw is None:
            errors.add("resigns", REQUIRED)
        elif not isinstance(raw, list):
            errors.add("resigns", f'Expected a list of items but got type "{type(raw).__name__}".')
        else:
            for item in raw:
                pk = _as_pk(item, "resigns", errors)
                if pk is not None and pk not in self.resigns:
                    errors.add("resigns", f'Invalid pk "{item}" - object does not exist.')
        errors.raise_if_any()
        ids = [int(item) for item in raw]
        for pk in ids:
            self.resigns.pop(pk, None)
        self._active_ids = None
        return ids

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def get(rows: dict, pk) -> object:
        try:
            return rows[int(pk)]
        except (KeyError, ValueError, TypeError):
            raise not_found() from None

    def employees_in(self, ids: Iterable[int]) -> list[Employee]:
        return [self.employees[pk] for pk in ids]
