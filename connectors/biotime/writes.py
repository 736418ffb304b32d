"""BioTime writes: people (employees, resignations, reinstatement) and the code-name trees
(departments, areas, positions).

BioTime wants ids for an employee's department, areas and position. A PersonRecord may carry
ids (from a link) or only names; names are resolved by listing the (small) trees, never by
creating anything. An unknown department on create falls back to the server's default
department (code "1", "Department") with a warning; an unknown area falls back to the default
area; an unknown position is left out. On update an unknown reference leaves the field as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Mapping
from datetime import date
from typing import Any

from connectors import errors
from connectors.batch_reads import LIST_PAGE, ListedPage, ReadByIds
from connectors.biotime import mapping
from connectors.biotime.capabilities import OptionalEndpoints
from connectors.biotime.client import EMPLOYEES, REINSTATEMENT, RESIGNS, BioTimeClient
from connectors.records import (
    DepartmentRecord,
    PersonRecord,
    PositionRecord,
    SiteRecord,
    SkippedRecord,
)

log = logging.getLogger(__name__)
UNCHANGED: Any = object()  # "leave the parent as it is" in node updates
RESIGN_QUIT = 1  # BioTime resign_type: 1 quit, 2 dismissed, 3 resign, 4 transfer, 5 unpaid leave
#: seconds a connector reuses the trees it listed: a drain of many people lists them once, not
#: twice per person; a name or id not found in them is listed again before it counts as unknown
TREE_TTL = 60.0


class TreeLookup:
    """The rows of departments/areas/positions, listed once per write and matched by id, name or
    code (names compare case-insensitively)."""

    def __init__(self, client: BioTimeClient):
        self.client = client
        self._rows: dict[str, list[Mapping[str, Any]]] = {}
        self.listed_at = time.monotonic()
        self._relisted: set[str] = set()

    def rows(self, kind: str) -> list[Mapping[str, Any]]:
        if kind not in self._rows:
            path = f"/personnel/api/{kind}/"
            self._rows[kind] = [r for r in self.client.all_rows(path) if isinstance(r, Mapping)]
        return self._rows[kind]

    def find(self, kind: str, wanted_id: str | None, wanted_name: str = "") -> str | None:
        found = self._find(kind, wanted_id, wanted_name)
        if found is None and (wanted_id or wanted_name) and kind not in self._relisted:
            # listed for an earlier write: a node made since then is not in it yet
            self._relisted.add(kind)
            self._rows.pop(kind, None)
            found = self._find(kind, wanted_id, wanted_name)
        return found

    def _find(self, kind: str, wanted_id: str | None, wanted_name: str = "") -> str | None:
        code_key, name_key, _ = mapping.TREE_KEYS[kind]
        rows = self.rows(kind)
        if wanted_id:
            for row in rows:
                if mapping.ref_id(row.get("id")) == str(wanted_id):
                    return str(wanted_id)
        needle = (wanted_name or (wanted_id or "")).strip().casefold()
        if needle:
            for key in (name_key, code_key):
                for row in rows:
                    if mapping.text(row.get(key)).casefold() == needle:
                        return mapping.ref_id(row.get("id"))
        return None

    def default(self, kind: str) -> str | None:
        """The install's default node: code "1" ("Department", "Not Authorized"), else the first."""
        code_key = mapping.TREE_KEYS[kind][0]
        rows = self.rows(kind)
        for row in rows:
            if mapping.text(row.get(code_key)) == "1":
                return mapping.ref_id(row.get("id"))
        ids = sorted((mapping.ref_id(r.get("id")) or "" for r in rows), key=lambda v: (len(v), v))
        return ids[0] if ids else None

    def names(self, kind: str) -> dict[str, str]:
        name_key = mapping.TREE_KEYS[kind][1]
        return {
            mapping.ref_id(row.get("id")) or "": mapping.text(row.get(name_key))
            for row in self.rows(kind)
        }


class BioTimeWrites:
    """People and tree writes; mixed into the connector, which provides ``self.client`` and
    ``self.optional`` (the optional endpoints this server has)."""

    client: BioTimeClient
    optional: OptionalEndpoints
    _trees: TreeLookup | None = None
    _employee_reads: ReadByIds | None = None
    #: employees a page when a batch reads the employee list (see get_people)
    people_list_page = LIST_PAGE

    def _tree_lookup(self) -> TreeLookup:
        """The trees as listed within the last TREE_TTL seconds (a tree write forgets them)."""
        if self._trees is None or time.monotonic() - self._trees.listed_at > TREE_TTL:
            self._trees = TreeLookup(self.client)
        return self._trees

    # -- people -----------------------------------------------------------------------------
    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        """By ``emp_code`` (exact, leading zeros kept). Resigned people are hidden from the
        employee list, so their resignations are searched too: a rehire finds them."""
        for row in self.client.all_rows(EMPLOYEES, {"emp_code": code}):
            if isinstance(row, Mapping) and mapping.text(row.get("emp_code")) == code:
                return _person_or_error(mapping.person_from_employee(row))
        if not self.optional.has("resignations"):
            return None
        for resign in self.client.all_rows(RESIGNS):
            employee = resign.get("employee") if isinstance(resign, Mapping) else None
            if isinstance(employee, Mapping) and mapping.text(employee.get("emp_code")) == code:
                found = self._resigned_record(resign, TreeLookup(self.client))
                if isinstance(found, PersonRecord):
                    return found
        return None

    def get_person(self, vendor_id: str) -> PersonRecord | None:
        """The employee by id, marked inactive when a resignation names it (the object GET does
        not say so)."""
        return self.get_people([vendor_id])[str(vendor_id)]

    def get_people(self, vendor_ids: Iterable[str]) -> dict[str, PersonRecord | None]:
        """Each employee by id (None when gone): from the employee list or one GET each,
        whichever is fewer requests (see ReadByIds; the list hides the resigned, who are then
        read by id), their resignations read together (the list once for all, or filtered by
        employee, whichever is fewer requests)."""
        if self._employee_reads is None:
            self._employee_reads = ReadByIds(self._employee_pages, _row_id, self._employee_row)
        rows = self._employee_reads.rows(vendor_ids)
        present = [vendor_id for vendor_id, row in rows.items() if row is not None]
        resigned = {}
        if present and self.optional.has("resignations"):
            resigned = self._resignations_of(present)
        lookup = self._tree_lookup()
        return {
            vendor_id: None if row is None else self._person(row, resigned.get(vendor_id), lookup)
            for vendor_id, row in rows.items()
        }

    def _employee_pages(self) -> Generator[ListedPage]:
        for page in self.client.pages(EMPLOYEES, size=self.people_list_page):
            yield ListedPage(page.rows, page.count)

    def _employee_row(self, vendor_id: str) -> Any:
        """The object GET's employee (NotFoundError when there is none)."""
        return self.client.call("GET", f"{EMPLOYEES}{vendor_id}/")

    @staticmethod
    def _person(row: Any, resign: Mapping[str, Any] | None, lookup: TreeLookup) -> PersonRecord:
        return _person_or_error(
            mapping.person_from_employee(
                row,
                resigned=resign is not None,
                resigned_on=mapping.day(resign.get("resign_date")) if resign else None,
                departments=lookup.names("departments"),
                positions=lookup.names("positions"),
            )
        )

    def _resignations_of(self, vendor_ids: list[str]) -> dict[str, Mapping[str, Any]]:
        """Employee id -> its first resignation (by id), for these employees. The document's
        list filters by one ``employee`` at a time: the whole list is read when its pages are
        no more than the employees asked about, else one filtered read per employee."""
        wanted = set(vendor_ids)
        first: dict[str, Mapping[str, Any]] = {}

        def keep(rows: Iterable[Any]) -> None:
            for row in rows:
                employee = mapping.ref_id(row.get("employee")) if isinstance(row, Mapping) else None
                if employee in wanted:
                    first.setdefault(employee, row)

        if len(vendor_ids) > 1:
            pages = self.client.pages(RESIGNS)
            page = next(pages)
            keep(page.rows)
            remaining = _pages_left(page.count, len(page.rows))
            if page.last or (remaining is not None and remaining < len(vendor_ids)):
                for page in pages:
                    keep(page.rows)
                return first
            pages.close()
        for vendor_id in vendor_ids:
            keep(self.client.all_rows(RESIGNS, {"employee": vendor_id}))
        return first

    def _resigned_record(self, resign: Any, lookup: TreeLookup) -> PersonRecord | SkippedRecord:
        """A resigned employee, read by id (the list hides them), marked inactive."""
        if not isinstance(resign, Mapping) or mapping.ref_id(resign.get("employee")) is None:
            raw = resign if isinstance(resign, Mapping) else {"value": repr(resign)}
            return SkippedRecord("resignation without an employee", raw)
        try:
            row = self.client.call("GET", f"{EMPLOYEES}{mapping.ref_id(resign.get('employee'))}/")
        except errors.NotFoundError:
            return SkippedRecord("resignation of an employee that no longer exists", resign)
        return mapping.person_from_employee(
            row,
            resigned=True,
            resigned_on=mapping.day(resign.get("resign_date")),
            departments=lookup.names("departments"),
            positions=lookup.names("positions"),
        )

    def create_person(self, person: PersonRecord) -> PersonRecord:
        """POST the employee; an emp_code already taken answers :class:`ConflictError`."""
        lookup = self._tree_lookup()
        body = mapping.employee_body(person, **self._references(person, lookup, creating=True))
        row = self.client.call("POST", EMPLOYEES, body=body)
        return self._mapped(row, lookup)

    def update_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        lookup = self._tree_lookup()
        body = mapping.employee_body(person, **self._references(person, lookup, creating=False))
        for key in ("department", "area", "position"):
            if body.get(key) in (None, []):
                body.pop(key, None)  # unresolved: leave the server's value alone
        row = self.client.call("PATCH", f"{EMPLOYEES}{vendor_id}/", body=body)
        return self._mapped(row, lookup)

    def terminate_person(
        self,
        vendor_id: str,
        on: date,
        reason: str = "",
        *,
        resign_type: int = RESIGN_QUIT,
        current: PersonRecord | None = None,
    ) -> None:
        """A resignation on ``on`` with attendance disabled; already resigned counts as done.
        A server without the resignation API (8.0) raises UnsupportedError saying so."""
        self.optional.require_resignations()
        body = {
            "employee": _pk(vendor_id),
            "disableatt": True,
            "resign_type": resign_type,
            "resign_date": on.isoformat(),
            "reason": reason[:200],
        }
        try:
            self.client.call("POST", RESIGNS, body=body)
        except errors.ConflictError:
            log.info("BioTime employee %s had already resigned", vendor_id)
        except errors.ValidationError as exc:
            if exc.field == "employee" and "does not exist" in exc.message:
                raise errors.NotFoundError(
                    f"BioTime has no employee {vendor_id}", status_code=exc.status_code
                ) from exc
            raise

    def rehire_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        """Reinstate every resignation of the employee, then bring the fields up to date.
        Without the resignation API there is none to reinstate."""
        if not self.optional.has("resignations"):
            return self.update_person(vendor_id, person)
        ids = [
            _pk(found)
            for row in self.client.all_rows(RESIGNS, {"employee": vendor_id})
            if isinstance(row, Mapping) and (found := mapping.ref_id(row.get("id")))
        ]
        if ids:
            self.client.call("POST", REINSTATEMENT, body={"resigns": ids})
        return self.update_person(vendor_id, person)

    def delete_person(self, vendor_id: str) -> bool:
        """Delete the employee (and its resignations). False when it was already gone."""
        try:
            self.client.call("DELETE", f"{EMPLOYEES}{vendor_id}/")
        except errors.NotFoundError:
            return False
        return True

    def _references(self, person: PersonRecord, lookup: TreeLookup, *, creating: bool) -> dict:
        department = lookup.find("departments", person.department_id, person.department_name)
        if department is None and creating:
            department = lookup.default("departments")
            if person.department_id or person.department_name:
                log.warning(
                    "BioTime has no department %r; %s goes to the default department %s",
                    person.department_name or person.department_id,
                    person.code,
                    department,
                )
        areas = tuple(found for site in person.site_ids if (found := lookup.find("areas", site)))
        if len(areas) < len(person.site_ids):
            log.warning(
                "BioTime has no area for some of %r (employee %s)", person.site_ids, person.code
            )
        if not areas and creating:
            areas = tuple(a for a in [lookup.default("areas")] if a)
        position = None
        if person.position_id or person.position_name:
            position = lookup.find("positions", person.position_id, person.position_name)
            if position is None:
                wanted = person.position_name or person.position_id
                log.warning("BioTime has no position %r; left out", wanted)
        return {"department_id": department, "area_ids": areas, "position_id": position}

    @staticmethod
    def _mapped(row: Any, lookup: TreeLookup) -> PersonRecord:
        return _person_or_error(
            mapping.person_from_employee(
                row, departments=lookup.names("departments"), positions=lookup.names("positions")
            )
        )

    # -- departments, areas (sites), positions ----------------------------------------------
    def create_department(
        self, name: str, code: str, parent_id: str | None = None
    ) -> DepartmentRecord:
        return self._create_node("departments", name, code, parent_id)

    def update_department(
        self,
        vendor_id: str,
        *,
        name: str | None = None,
        code: str | None = None,
        parent_id: Any = UNCHANGED,
    ) -> DepartmentRecord:
        return self._update_node("departments", vendor_id, name, code, parent_id)

    def delete_department(self, vendor_id: str) -> bool:
        return self._delete_node("departments", vendor_id)

    def create_position(self, name: str, code: str, parent_id: str | None = None) -> PositionRecord:
        return self._create_node("positions", name, code, parent_id)

    def update_position(
        self,
        vendor_id: str,
        *,
        name: str | None = None,
        code: str | None = None,
        parent_id: Any = UNCHANGED,
    ) -> PositionRecord:
        return self._update_node("positions", vendor_id, name, code, parent_id)

    def delete_position(self, vendor_id: str) -> bool:
        return self._delete_node("positions", vendor_id)

    def create_site(self, name: str, code: str, parent_id: str | None = None) -> SiteRecord:
        return self._create_node("areas", name, code, parent_id)

    def update_site(
        self,
        vendor_id: str,
        *,
        name: str | None = None,
        code: str | None = None,
        parent_id: Any = UNCHANGED,
    ) -> SiteRecord:
        return self._update_node("areas", vendor_id, name, code, parent_id)

    def delete_site(self, vendor_id: str) -> bool:
        return self._delete_node("areas", vendor_id)

    def find_department(
        self, code: str, name: str = "", parent_id: str | None = None
    ) -> DepartmentRecord | None:
        return self._find_node("departments", code, name)

    def get_department(self, vendor_id: str) -> DepartmentRecord | None:
        return self._get_node("departments", vendor_id)

    def find_position(
        self, code: str, name: str = "", parent_id: str | None = None
    ) -> PositionRecord | None:
        return self._find_node("positions", code, name)

    def get_position(self, vendor_id: str) -> PositionRecord | None:
        return self._get_node("positions", vendor_id)

    def find_site(
        self, code: str, name: str = "", parent_id: str | None = None
    ) -> SiteRecord | None:
        return self._find_node("areas", code, name)

    def get_site(self, vendor_id: str) -> SiteRecord | None:
        return self._get_node("areas", vendor_id)

    def _find_node(self, kind: str, code: str, name: str):
        """By code (unique in BioTime, asked with the list's filter), then by name in the whole
        (small) list, ignoring letter case (names are not unique there: the first one wins)."""
        code_key, name_key, _ = mapping.TREE_KEYS[kind]
        path = f"/personnel/api/{kind}/"
        if code:
            for row in self.client.all_rows(path, {code_key: code}):
                if isinstance(row, Mapping) and mapping.text(row.get(code_key)) == code:
                    return _node_or_error(kind, row)
        wanted = name.strip().casefold()
        if wanted:
            for row in self.client.all_rows(path):
                if (
                    isinstance(row, Mapping)
                    and mapping.text(row.get(name_key)).casefold() == wanted
                ):
                    return _node_or_error(kind, row)
        return None

    def _get_node(self, kind: str, vendor_id: str):
        try:
            row = self.client.call("GET", f"/personnel/api/{kind}/{vendor_id}/")
        except errors.NotFoundError:
            return None
        return _node_or_error(kind, row)

    def _create_node(self, kind: str, name: str, code: str, parent_id: str | None):
        self._trees = None  # the trees change: the next person write lists them again
        body = mapping.node_body(
            kind, name=name, code=code, parent_id=parent_id, with_parent=parent_id is not None
        )
        return _node_or_error(kind, self.client.call("POST", f"/personnel/api/{kind}/", body=body))

    def _update_node(self, kind: str, vendor_id: str, name, code, parent_id):
        self._trees = None
        moving = parent_id is not UNCHANGED
        body = mapping.node_body(
            kind, name=name, code=code, parent_id=parent_id if moving else None, with_parent=moving
        )
        answer = self.client.call("PATCH", f"/personnel/api/{kind}/{vendor_id}/", body=body)
        return _node_or_error(kind, answer)

    def _delete_node(self, kind: str, vendor_id: str) -> bool:
        """False when already gone; a node still in use answers ValidationError (BioTime: 400)."""
        self._trees = None
        try:
            self.client.call("DELETE", f"/personnel/api/{kind}/{vendor_id}/")
        except errors.NotFoundError:
            return False
        return True


def _pages_left(count: int | None, per_page: int) -> int | None:
    """Pages after the first of a list of ``count`` rows (None: the count is not known)."""
    if count is None or per_page < 1:
        return None
    return max(0, -(-(count - per_page) // per_page))


def _row_id(row: Any) -> str | None:
    return mapping.ref_id(row.get("id")) if isinstance(row, Mapping) else None


def _pk(value: str) -> int | str:
    return int(value) if str(value).isdigit() else value


def _person_or_error(found) -> PersonRecord:
    if isinstance(found, PersonRecord):
        return found
    raise errors.ProtocolError(f"BioTime answered with an unusable employee: {found.reason}")


def _node_or_error(kind: str, row: Any):
    found = mapping.node_from_row(kind, row)
    if isinstance(found, (DepartmentRecord, PositionRecord, SiteRecord)):
        return found
    raise errors.ProtocolError(f"BioTime answered with an unusable {kind} row: {found.reason}")
