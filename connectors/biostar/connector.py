"""Suprema BioStar X as a Workgate connector: users, user groups, devices, doors and their state,
access events and the punches among them; people writes, batched deletes and door commands.

Credentials: ``{"login_id": …, "password": …}``. One session is reused by every call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from connectors import errors
from connectors.base import DOOR_ACTIONS, Connector
from connectors.batch_reads import LIST_PAGE, ListedPage, ReadByIds
from connectors.biostar import mapping
from connectors.biostar.client import BioStarClient, collection, user_path
from connectors.biostar.event_mapping import (
    ALARM_EVENTS,
    event_from_vendor,
    open_alarms,
    punch_from_event,
)
from connectors.biostar.events import event_batches, window
from connectors.biostar.scalars import as_list, format_utc, ref_id, text, to_int, truthy
from connectors.client import ClientOptions
from connectors.records import (
    Capabilities,
    DepartmentRecord,
    DoorEventRecord,
    Page,
    PersonRecord,
    ServerIdentity,
    SkippedRecord,
    split_skipped,
)

CONTAINS = 2  # the event search's "any of these values" operator
ALARM_CODES = [str(code) for code in ALARM_EVENTS]
ALARM_EVENT_LIMIT = 1000  # newest alarm events read per door-state poll
DELETE_BATCH = 1000  # more ids than this in one DELETE misbehaves on some versions (quirk)
DELETE_URL_BUDGET = 6000  # characters of ids per DELETE URL: long user ids hit URL limits first
SYSTEM_CHECK_LOOKUPS = 20  # up to this many write targets are checked one GET each
ROOT_GROUP_ID = "1"  # "All Users": every user group hangs under it
UNCHANGED: Any = object()  # "leave the parent as it is" in user group updates


class BioStarConnector(Connector):
    kind = "biostar"
    capabilities = Capabilities(
        reads=frozenset(
            {
                "people",
                "departments",
                "access_groups",
                "devices",
                "doors",
                "door_state",
                "door_events",
                "punches",
            }
        ),
        writes=frozenset({"people", "departments"}),  # departments: user groups
        deletes=frozenset({"people"}),
        commands=frozenset(DOOR_ACTIONS),
    )
    #: the user group every other hangs under ("All Users"): not a department of its own
    root_department_id = ROOT_GROUP_ID
    #: ``last_modified`` is a server-wide change counter: re-read this many changes back so a
    #: user changed on an already-read page while a pass was running is not missed.
    people_lookback = 100
    #: events re-read before the cursor: late uploads from devices that were offline.
    event_lookback = timedelta(minutes=15)
    #: how far back door alarms are looked for in the event log (see ``_event_alarms``)
    alarm_lookback = timedelta(hours=24)
    #: users a page when a batch reads the user list (see get_people)
    people_list_page = LIST_PAGE

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        options: ClientOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] | None = None,  # tests pass the simulator's clock
    ):
        super().__init__(base_url, credentials, options, transport=transport, sleep=sleep)
        missing = [key for key in ("login_id", "password") if not self.credentials.get(key)]
        if missing:
            raise errors.AuthenticationError(f"BioStar X credentials lack {', '.join(missing)}.")
        self.now = now or (lambda: datetime.now(UTC))
        self.client = BioStarClient(
            base_url,
            self.credentials["login_id"],
            self.credentials["password"],
            options=self.options,
            transport=transport,
            sleep=self.sleep,
        )
        self._event_types: dict[int, str] | None = None
        self._user_reads = ReadByIds(self._user_pages, _user_id_of, self._user_row)

    @property
    def time_zone(self) -> str:
        return self.options.time_zone

    def close(self) -> None:
        self.client.logout()
        self.client.close()

    # -- check ---------------------------------------------------------------------------------
    def check(self) -> ServerIdentity:
        user = self.client.login(retry=True)  # a fresh login proves address and credentials
        version, details = "", {}
        try:  # the document's version endpoint; older servers and the simulator lack it
            info = self.client.call("GET", "/js/info.json")
            version = text(info.get("version") or info.get("server_version"))
        except (errors.NotFoundError, errors.ProtocolError):
            pass
        permission = user.get("permission")
        details = {
            "user_id": text(user.get("user_id")),
            "name": text(user.get("name")),
            "permission": text(permission.get("name")) if isinstance(permission, Mapping) else "",
        }
        if self.client.server_date:
            details["server_time"] = self.client.server_date
        return ServerIdentity(
            vendor="Suprema BioStar X",
            server=self.client.base_url,
            version=version,
            user=text(user.get("login_id")) or self.credentials["login_id"],
            details=details,
        )

    # -- reads ---------------------------------------------------------------------------------
    def read_people(self, cursor: str | None) -> Iterator[Page]:
        """Users by ``last_modified`` (a change counter, ``>=``); None: every user.

        Users come ordered by ``user_id``, not by change, so only the last page carries the
        advanced cursor; earlier pages carry the cursor the read started from.
        """
        start = to_int(cursor)
        if cursor and start is None:
            raise errors.ValidationError(
                f"BioStar X people cursor {cursor!r} is not a number.", field="cursor"
            )
        params: dict[str, Any] = {"order_by": "user_id:false"}
        if start is not None:
            params["last_modified"] = max(0, start - self.people_lookback)
        highest = start
        pages = self.client.list_pages("/api/users", "UserCollection", params)

        def mapped() -> Iterator[Page]:
            nonlocal highest
            for rows in pages:
                records, skipped = split_skipped(self._person(row) for row in rows)
                for row in rows:
                    value = to_int(row.get("last_modified")) if isinstance(row, Mapping) else None
                    if value is not None and (highest is None or value > highest):
                        highest = value
                yield Page(records, cursor, skipped)

        yield from _final_cursor(mapped(), lambda: None if highest is None else str(highest))

    def read_departments(self, cursor: str | None) -> Iterator[Page]:
        rows = collection(self.client.call("GET", "/api/user_groups"), "UserGroupCollection").rows
        yield from self._chunked(rows, mapping.department_from_vendor)

    def read_access_groups(self, cursor: str | None) -> Iterator[Page]:
        """Every access group (``GET /api/access_groups``); a short list, read whole each time."""
        rows = collection(
            self.client.call("GET", "/api/access_groups"), "AccessGroupCollection"
        ).rows
        yield from self._chunked(rows, mapping.access_group_from_vendor)

    def read_devices(self, cursor: str | None) -> Iterator[Page]:
        # ``GET /api/devices`` is on every build; the v2 search is not (vendor-quirks.md).
        rows = collection(self.client.call("GET", "/api/devices"), "DeviceCollection").rows
        yield from self._chunked(rows, mapping.device_from_vendor)

    def read_doors(self, cursor: str | None) -> Iterator[Page]:
        """Doors (paged) joined with their live status (one call for every door) and the
        alarms the event log shows raised and not cleared (one more call)."""
        status = self._door_status()
        alarms = self._event_alarms()
        pages = self.client.list_pages("/api/doors", "DoorCollection", {"order_by": "id:false"})
        for rows in pages:
            records, skipped = split_skipped(
                mapping.door_from_vendor(row, *_status_of(row, status, alarms)) for row in rows
            )
            yield Page(records, None, skipped)

    def read_door_state(self, cursor: str | None) -> Iterator[Page]:
        return self.read_doors(cursor)

    def read_door_events(self, cursor: str | None) -> Iterator[Page]:
        batches = event_batches(
            self.client,
            cursor,
            lookback=self.event_lookback,
            page_size=self.options.page_size,
            descriptions=self.event_types(),
            time_zone=self.time_zone,
        )
        for batch in batches:
            yield Page(batch.events, batch.cursor, batch.skipped)

    def read_punches(self, cursor: str | None) -> Iterator[Page]:
        """Granted access events carrying a T&A key (``tna_key`` ≠ 0) by a known user. Filtered
        here, not on the server: the document does not promise a ``tna_key`` search condition."""
        batches = event_batches(
            self.client,
            cursor,
            lookback=self.event_lookback,
            page_size=self.options.page_size,
            time_zone=self.time_zone,
        )
        for batch in batches:
            punches = [p for p in map(punch_from_event, batch.events) if p is not None]
            yield Page(punches, batch.cursor, batch.skipped)

    def event_types(self) -> dict[int, str]:
        """Event code → name (``GET /api/event_types``), read once per connector."""
        if self._event_types is None:
            try:
                answer = self.client.call("GET", "/api/event_types")
                rows = collection(answer, "EventTypeCollection").rows
            except (errors.NotFoundError, errors.PermissionDeniedError):
                rows = []
            self._event_types = {
                code: text(row.get("description") or row.get("name"))
                for row in rows
                if isinstance(row, Mapping)
                for code in [to_int(row.get("code"))]
                if code is not None
            }
        return self._event_types

    def _event_alarms(self) -> dict[str, str]:
        """Door id → "forced"/"held_open" from the last ``alarm_lookback`` of alarm events:
        some builds never report held/forced in the status call. A server that refuses the
        search costs only this extra knowledge."""
        conditions = [
            window(self.now() - self.alarm_lookback),
            {"column": "event_type_id", "operator": CONTAINS, "values": ALARM_CODES},
        ]
        try:
            rows = self.client.search_events(conditions, ALARM_EVENT_LIMIT, descending=True)
        except (errors.ValidationError, errors.NotFoundError, errors.PermissionDeniedError):
            return {}
        events = [event_from_vendor(row, None, self.time_zone) for row in reversed(rows)]
        found = [e for e in events if isinstance(e, DoorEventRecord)]  # oldest first, ties kept
        return open_alarms(sorted(found, key=lambda e: e.occurred_at))

    def _door_status(self) -> dict[str, Mapping[str, Any]]:
        body = self.client.call("POST", "/api/doors/status", json={"monitoring_permission": True})
        return mapping.status_by_door(collection(body, "DoorStatusCollection").rows)

    def _chunked(self, rows: list[Any], mapper) -> Iterator[Page]:
        size = max(1, self.options.page_size)
        for start in range(0, max(len(rows), 1), size):
            records, skipped = split_skipped(mapper(row) for row in rows[start : start + size])
            yield Page(records, None, skipped)

    # -- people writes -------------------------------------------------------------------------
    def find_person(self, code: str, *, email: str = "") -> PersonRecord | None:
        try:
            return self._get_person(code)
        except errors.NotFoundError:
            return None

    def get_person(self, vendor_id: str) -> PersonRecord | None:
        try:
            return self._get_person(vendor_id)
        except errors.NotFoundError:
            return None

    def get_people(self, vendor_ids: Iterable[str]) -> dict[str, PersonRecord | None]:
        """Each user by id (None when gone): from the user list or one GET each, whichever is
        fewer requests (see ReadByIds). A listed row is the user as its own GET shows it."""
        rows = self._user_reads.rows(vendor_ids)
        return {
            user_id: None if row is None else self._mapped(user_id, row)
            for user_id, row in rows.items()
        }

    def _user_pages(self) -> Generator[ListedPage]:
        params = {"order_by": "user_id:false"}
        for page in self.client.collection_pages(
            "/api/users", "UserCollection", params, self.people_list_page
        ):
            yield ListedPage(page.rows, page.total)

    def create_person(self, person: PersonRecord) -> PersonRecord:
        """``POST /api/users``; a taken ``user_id`` (or e-mail) is a :class:`ConflictError`."""
        if not person.code:
            raise errors.ValidationError("A BioStar user needs a code (user_id).", field="user_id")
        body = {"User": mapping.person_to_vendor(person, self.time_zone, creating=True)}
        self.client.call("POST", "/api/users", json=body)
        return self._get_person(person.code)

    def update_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        user = mapping.person_to_vendor(person, self.time_zone, creating=False)
        return self._put_user(vendor_id, user, "change", current)

    def terminate_person(
        self, vendor_id: str, on: date, reason: str = "", *, current: PersonRecord | None = None
    ) -> None:
        """Disable the user and end its access now (BioStar keeps no reason)."""
        self._refuse_system_accounts([vendor_id], "terminate", _rows_of(current))
        ended = format_utc(self.now())
        body = {"User": {"disabled": "true", "expiry_datetime": ended}}
        try:
            self.client.call("PUT", user_path(vendor_id), json=body)
        except errors.ValidationError as exc:
            if isinstance(exc, errors.ConflictError) or "start_datetime" not in exc.message:
                raise
            # Access that had not started yet: BioStar refuses an expiry before the start.
            body["User"]["start_datetime"] = ended
            self.client.call("PUT", user_path(vendor_id), json=body)

    def change_code(self, vendor_id: str, person: PersonRecord) -> PersonRecord:
        """BioStar cannot rename a user (``user_id`` is its key). The old user is disabled first
        (so it never stays active) and gives up its e-mail (BioStar refuses one in use); then the
        user under the new code is made with the same details and access groups, or found, on a
        retry. Credentials (cards, fingerprints, faces) stay on the old user."""
        self._refuse_system_accounts([vendor_id, person.code], "move")
        old = self.client.call("GET", user_path(vendor_id)).get("User") or {}
        if not truthy(old.get("disabled")):
            self.terminate_person(vendor_id, self.now().date(), f"code changed to {person.code}")
        if text(old.get("email")):
            self.client.call("PUT", user_path(vendor_id), json={"User": {"email": ""}})
        moved = self.find_person(person.code)
        if moved is None:
            moved = self.create_person(replace(person, vendor_id=""))
        groups = mapping.access_group_ids(old)
        if groups:
            moved = self.set_access_groups(moved.vendor_id, groups)
        return moved

    def rehire_person(
        self, vendor_id: str, person: PersonRecord, *, current: PersonRecord | None = None
    ) -> PersonRecord:
        """Enable the user, clear its expiry (BioStar's far-future default) and apply ``person``."""
        user = mapping.person_to_vendor(person, self.time_zone, creating=False)
        user.update(disabled="false", expiry_datetime=format_utc(mapping.NO_EXPIRY))
        return self._put_user(vendor_id, user, "rehire", current)

    def set_access_groups(
        self,
        vendor_id: str,
        access_group_ids: Iterable[str],
        *,
        current: PersonRecord | None = None,
    ) -> PersonRecord:
        """Make the user a direct member of exactly these access groups (BioStar replaces the
        list). The user group (department) is written by create/update via ``department_id``."""
        groups = [{"id": str(group_id)} for group_id in access_group_ids]
        verb = "change the access groups of"
        return self._put_user(vendor_id, {"access_groups": groups}, verb, current)

    def delete_people(self, vendor_ids: Iterable[str]) -> dict[str, Any]:
        """Delete users in batches of at most 1000 ids (and a bounded URL). A batch naming a
        user that is already gone is refused whole: it is then deleted one by one."""
        deleted, missing = 0, []
        user_ids = [text(v) for v in vendor_ids if text(v)]
        self._refuse_system_accounts(user_ids, "delete")
        for batch in _batches(user_ids, DELETE_BATCH, DELETE_URL_BUDGET):
            try:
                self.client.delete_users(batch)
                deleted += len(batch)
            except errors.NotFoundError:
                for user_id in batch:
                    try:
                        self.client.delete_users([user_id])
                        deleted += 1
                    except errors.NotFoundError:
                        missing.append(user_id)
        return {"deleted": deleted, "missing": missing}

    def _person(self, row: Any) -> PersonRecord | SkippedRecord:
        return mapping.person_from_vendor(
            row, self.time_zone, now=self.now(), own_login_id=self.credentials["login_id"]
        )

    def _refuse_system_accounts(
        self, user_ids: list[str], verb: str, read: Mapping[str, Mapping[str, Any]] | None = None
    ) -> dict[str, Mapping[str, Any]]:
        """Raise :class:`errors.SystemAccountError` before any write that targets the vendor's
        administrator, the login Workgate uses or an operator. ``read``: rows the caller has
        just read (a push's own read of the user), not asked again. Few ids are looked up one
        by one (those rows are returned, by user id); a large batch reads the user list once."""
        wanted = {text(user_id) for user_id in user_ids}
        looked = dict(read or {})
        if len(wanted) <= SYSTEM_CHECK_LOOKUPS:
            rows = []
            for user_id in wanted:
                if user_id == mapping.ADMIN_USER_ID:
                    rows.append({"user_id": user_id})
                    continue
                try:
                    if user_id not in looked:
                        looked[user_id] = self._user_row(user_id)
                except errors.NotFoundError:
                    continue  # the write itself reports a missing user
                rows.append(looked[user_id])
        else:
            pages = self.client.list_pages(
                "/api/users", "UserCollection", {"order_by": "user_id:false"}
            )
            rows = [
                row
                for page in pages
                for row in page
                if isinstance(row, Mapping) and text(row.get("user_id")) in wanted
            ]
        for row in rows:
            if isinstance(row, Mapping) and mapping.is_system_account(
                row, self.credentials["login_id"]
            ):
                user_id = text(row.get("user_id"))
                what = (
                    "the vendor's administrator account"
                    if user_id == mapping.ADMIN_USER_ID
                    else "a BioStar operator or the account Workgate logs in with"
                )
                raise errors.SystemAccountError(
                    f"BioStar user {user_id} is {what}; Workgate never changes it, so it will not"
                    f" {verb} it. Change it in the BioStar console if you must.",
                    field="user_id",
                )
        return looked

    def _put_user(
        self, user_id: str, user: dict[str, Any], verb: str, current: PersonRecord | None
    ) -> PersonRecord:
        """``PUT /api/users/{id}`` after the system-account check; the user as it is now.

        ``current``: the user as the caller just read it (a push reads before it writes): it
        answers the check, and since BioStar answers a PUT with its ``Response`` code alone and
        stores the fields as sent, the user now is that row with the sent fields over it. Without
        it the check reads the user and that row serves.
        """
        read = self._refuse_system_accounts([user_id], verb, _rows_of(current))
        self.client.call("PUT", user_path(user_id), json={"User": user})
        before = read.get(text(user_id))
        if not isinstance(before, Mapping):
            return self._get_person(user_id)
        row = {**before, **user}
        if "disabled" in user or "expiry_datetime" in user:
            row.pop("expired", None)  # the server's own verdict on the old dates
        return self._mapped(user_id, row)

    def _user_row(self, user_id: str) -> Mapping[str, Any]:
        """``GET /api/users/{id}``'s ``User``."""
        return self.client.call("GET", user_path(user_id)).get("User")

    def _get_person(self, user_id: str) -> PersonRecord:
        return self._mapped(user_id, self._user_row(user_id))

    def _mapped(self, user_id: str, row: Any) -> PersonRecord:
        record = self._person(row)
        if isinstance(record, SkippedRecord):
            raise errors.ProtocolError(
                f"BioStar X answered user {user_id} with an unusable record: {record.reason}."
            )
        return record

    # -- user groups (departments) -------------------------------------------------------------
    # BioStar keeps no code for a user group: it is found by name under its parent (names are
    # unique among siblings). A parent of None means the root group "All Users".
    def find_department(
        self, code: str, name: str = "", parent_id: str | None = None
    ) -> DepartmentRecord | None:
        wanted, parent = name.strip().casefold(), parent_id or ROOT_GROUP_ID
        rows = collection(self.client.call("GET", "/api/user_groups"), "UserGroupCollection").rows
        for row in rows:
            found = self._group(row)
            if (
                found is not None
                and found.name.casefold() == wanted
                and (found.parent_id or ROOT_GROUP_ID) == parent
            ):
                return found
        return None

    def get_department(self, vendor_id: str) -> DepartmentRecord | None:
        try:
            answer = self.client.call("GET", f"/api/user_groups/{quote(str(vendor_id), safe='')}")
        except errors.NotFoundError:
            return None
        found = self._group(answer.get("UserGroup"))
        if found is None:
            raise errors.ProtocolError(f"BioStar X answered user group {vendor_id} unusably.")
        return found

    def create_department(
        self, name: str, code: str = "", parent_id: str | None = None
    ) -> DepartmentRecord:
        """``POST /api/user_groups`` under the parent (or "All Users"); a name taken among the
        siblings is a :class:`ConflictError`."""
        group = mapping.department_to_vendor(
            DepartmentRecord("", name, parent_id=parent_id or ROOT_GROUP_ID)
        )
        answer = self.client.call("POST", "/api/user_groups", json={"UserGroup": group})
        created = answer.get("UserGroup")
        group_id = ref_id(created.get("id")) if isinstance(created, Mapping) else None
        found = self.get_department(group_id) if group_id else None
        found = found or self.find_department(code, name, parent_id)
        if found is None:
            raise errors.ProtocolError(f"BioStar X created user group {name!r} but cannot find it.")
        return found

    def update_department(
        self,
        vendor_id: str,
        *,
        name: str | None = None,
        code: str | None = None,
        parent_id: Any = UNCHANGED,
    ) -> DepartmentRecord:
        """``PUT /api/user_groups/{id}`` with the name and/or parent (BioStar keeps no code)."""
        group: dict[str, Any] = {}
        if name is not None:
            group["name"] = name
        if parent_id is not UNCHANGED:
            group["parent_id"] = {"id": parent_id or ROOT_GROUP_ID}
        path = f"/api/user_groups/{quote(str(vendor_id), safe='')}"
        if group:
            self.client.call("PUT", path, json={"UserGroup": group})
        found = self.get_department(vendor_id)
        if found is None:
            raise errors.NotFoundError(f"BioStar X has no user group {vendor_id}.")
        return found

    @staticmethod
    def _group(row: Any) -> DepartmentRecord | None:
        """A user group as a department; a child of the root reads as having no parent."""
        found = mapping.department_from_vendor(row)
        if not isinstance(found, DepartmentRecord):
            return None
        if found.parent_id == ROOT_GROUP_ID:
            found = replace(found, parent_id=None)
        return found

    # -- doors ---------------------------------------------------------------------------------
    def command_door(self, door_vendor_id: str, action: str) -> dict:
        """``POST /api/doors/<action>`` with ``{"DoorCollection": {"rows": [{"id": …}]}}``.
        Returns the vendor's answer; a device that refused the command raises TransientError."""
        if action not in DOOR_ACTIONS:
            raise errors.ValidationError(
                f"Unknown door action {action!r}; expected one of {DOOR_ACTIONS}.", field="action"
            )
        door_id = text(door_vendor_id)
        if not door_id:
            raise errors.ValidationError("A door command needs a door id.", field="door_id")
        body = {"DoorCollection": {"rows": [{"id": door_id}]}}
        answer = self.client.call("POST", f"/api/doors/{quote(action, safe='')}", json=body)
        device = answer.get("DeviceResponse")
        if isinstance(device, Mapping):
            failed = [
                row
                for row in as_list(device.get("rows"))
                if isinstance(row, Mapping) and text(row.get("code")) not in ("", "0")
            ]
            if failed or text(device.get("result")).lower() == "false":
                codes = ", ".join(
                    f"device {text(r.get('id'))} code {text(r.get('code'))}" for r in failed
                )
                raise errors.TransientError(
                    f"BioStar X accepted '{action}' for door {door_id} but the device refused it"
                    f" ({codes or 'result false'}); check that the controller is online.",
                )
        return answer


def _status_of(
    row: Any, status: Mapping[str, Mapping[str, Any]], alarms: Mapping[str, str]
) -> tuple[Mapping[str, Any] | None, str | None]:
    """A door row's status row and the alarm its events left raised."""
    door_id = (ref_id(row.get("id")) or "") if isinstance(row, Mapping) else ""
    return status.get(door_id), alarms.get(door_id)


def _final_cursor(pages: Iterator[Page], final: Callable[[], str | None]) -> Iterator[Page]:
    """Hold each page back until the next arrives so the last one can carry ``final()``."""
    previous: Page | None = None
    for page in pages:
        if previous is not None:
            yield previous
        previous = page
    last = previous or Page([])
    yield Page(last.records, final(), last.skipped)


def _batches(ids: list[str], size: int, budget: int) -> Iterator[list[str]]:
    batch: list[str] = []
    length = 0
    for user_id in ids:
        cost = len(quote(user_id, safe="")) + 1
        if batch and (len(batch) >= size or length + cost > budget):
            yield batch
            batch, length = [], 0
        batch.append(user_id)
        length += cost
    if batch:
        yield batch


def _user_id_of(row: Any) -> str | None:
    return (text(row.get("user_id")) or None) if isinstance(row, Mapping) else None


def _rows_of(current: PersonRecord | None) -> dict[str, Mapping[str, Any]]:
    """A caller's read of a user as the rows a write's check may use (none if not a user row)."""
    if current is None or not isinstance(current.raw, Mapping) or not current.vendor_id:
        return {}
    return {text(current.vendor_id): current.raw}
