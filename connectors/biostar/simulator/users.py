"""Users: list (``limit``/``offset``/``group_id``/``last_modified``), get, create, update, bulk
update, batch delete, and the v2 advanced search."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env
from connectors.biostar.simulator.state import ADMIN_USER_ID, ROOT_GROUP_ID, User

MAX_NAME = 48
MAX_BULK_UPDATE = 100  # "The maximum number of users that can be modified in a single API call"
DELETE_TRUNCATION = 1000  # quirk: bigger deletes only remove this many


#: The document's account levels (``GET /api/permissions``); 4-252 are custom operator levels.
PERMISSIONS = {
    1: "Administrator", 2: "User Operator", 3: "Monitoring Operator",
    253: "Video", 254: "TA", 255: "User", 100000: "Visitor",
}  # fmt: skip
USER_LEVEL = 255


def permission_name(permission_id: int) -> str:
    return PERMISSIONS.get(permission_id, f"Custom Level {permission_id}")


def user_sort_key(user_id: str) -> tuple:
    """Numeric ids in numeric order, then alphanumeric ones ("00042" sorts as 42)."""
    return (0, int(user_id), user_id) if user_id.isdigit() else (1, 0, user_id)


def parse_order(order_by: str | None, allowed: set[str], default: str) -> tuple[str, bool]:
    """``column:false`` ascending, ``column:true`` descending (the document's format)."""
    column, _, descending = (order_by or f"{default}:false").partition(":")
    if column not in allowed:
        raise env.invalid(f"order_by column {column!r} is not one of {sorted(allowed)}.")
    return column, env.truthy(descending)


class UserRoutes:
    # -- rendering --------------------------------------------------------------------------
    def render_user(self, user: User) -> dict[str, Any]:
        group = self.user_groups.get(user.user_group_id) or self.user_groups[ROOT_GROUP_ID]
        row: dict[str, Any] = {
            "user_id": user.user_id,
            "name": user.name,
            "user_group_id": {"id": str(group.id), "name": group.name},
            "disabled": env.bstr(user.disabled),
            "expired": env.bstr(user.expiry_datetime < self.clock.now()),
            "start_datetime": env.fmt_ts(user.start_datetime),
            "expiry_datetime": env.fmt_ts(user.expiry_datetime),
            "security_level": "0",
            "photo_exists": "false",
            "pin_exists": env.bstr(bool(user.pin)),
            "password_exists": env.bstr(bool(user.password)),
            "last_modified": str(user.last_modified),
            "fingerprint_template_count": str(user.fingerprint_template_count),
            "face_count": str(user.face_count),
            "card_count": str(user.card_count),
        }
        for name in ("email", "phone", "department", "user_title", "login_id"):
            if getattr(user, name):  # optional fields are left out, never null
                row[name] = getattr(user, name)
        groups = self.access_groups_of(user.user_id)
        if groups:
            row["access_groups"] = [{"id": str(ag.id), "name": ag.name} for ag in groups]
        if user.permission_id is not None:  # the operator level ("account level")
            row["permission"] = {
                "id": str(user.permission_id),
                "name": permission_name(user.permission_id),
            }
        return row

    def render_user_v2(self, user: User) -> dict[str, Any]:
        """The v2 search's row: integers and booleans, naive date-times (as the document shows)."""
        row = self.render_user(user)
        row.pop("expired")
        row.pop("security_level")
        row.pop("photo_exists")
        row.pop("password_exists")
        row["have_pin"] = row.pop("pin_exists")
        row.pop("permission", None)
        row["operator_level"] = permission_name(user.permission_id or USER_LEVEL)
        for name in ("start_datetime", "expiry_datetime"):
            row[name] = getattr(user, name).strftime("%Y-%m-%dT%H:%M:%S")
        return env.to_v2(row) if self.quirks.v2_integers else row

    # -- queries ----------------------------------------------------------------------------
    def sorted_user_ids(self, column: str = "user_id", descending: bool = False) -> list[str]:
        key = (self.change_counter, column, descending)
        cached = self._user_order_cache
        if cached.get("key") != key:
            if column == "name":
                order = sorted(self.users, key=lambda uid: (self.users[uid].name, uid))
            else:
                order = sorted(self.users, key=user_sort_key)
            cached.update(key=key, ids=order[::-1] if descending else order)
        return cached["ids"]

    def find_user(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise env.not_found(f"User {user_id} does not exist.")
        return user

    # -- handlers ---------------------------------------------------------------------------
    def list_users(self, request: Request) -> Response:
        args = request.args
        group_id = env.parse_int(args.get("group_id", ROOT_GROUP_ID), "group_id")
        limit = env.parse_int(args.get("limit", 0), "limit")
        offset = env.parse_int(args.get("offset", 0), "offset")
        since = env.parse_int(args.get("last_modified", 0), "last_modified")
        column, descending = parse_order(args.get("order_by"), {"user_id", "name"}, "user_id")
        groups = None if group_id == ROOT_GROUP_ID else self.group_and_children(group_id)
        ordered = self.sorted_user_ids(column, descending)
        if groups is None and since <= 0:
            total, page_ids = len(ordered), ordered[offset : offset + limit if limit else None]
        else:
            matched = [
                uid
                for uid in ordered
                if self.users[uid].last_modified >= since
                and (groups is None or self.users[uid].user_group_id in groups)
            ]
            total, page_ids = len(matched), matched[offset : offset + limit if limit else None]
        rows = [self.render_user(self.users[uid]) for uid in page_ids]
        return self.respond(env.ok(UserCollection=env.collection(rows, total)))

    def get_user(self, request: Request, user_id: str) -> Response:
        return self.respond(env.ok(User=self.render_user(self.find_user(user_id))))

    def create_users(self, request: Request) -> Response:
        body = env.read_json(request)
        if isinstance(body.get("User"), dict):
            rows = [body["User"]]
        else:
            rows = env.as_list((body.get("UserCollection") or {}).get("rows"))
        if not rows or not all(isinstance(row, dict) for row in rows):
            raise env.invalid('Send {"User": {...}} or {"UserCollection": {"rows": [...]}}.')
        staged: list[User] = []
        memberships: list[list[int] | None] = []
        for row in rows:
            user_id = str(row.get("user_id") or "").strip()
            if not user_id:
                raise env.invalid("user_id is required.")
            if user_id in self.users or any(u.user_id == user_id for u in staged):
                raise env.duplicate(f"user_id {user_id} is already in use.")
            user = User(user_id=user_id, name="")
            memberships.append(self.apply_user_fields(user, row, creating=True, others=staged))
            staged.append(user)
        for user, access_group_ids in zip(staged, memberships, strict=True):
            self.store_user(user, access_group_ids)
        created = [{"user_id": user.user_id} for user in staged]
        return self.respond(env.ok(UserCollection=env.collection(created)))

    def update_user(self, request: Request, user_id: str) -> Response:
        user = self.find_user(user_id)
        data = env.read_json(request).get("User")
        if not isinstance(data, dict):
            raise env.invalid('Send {"User": {...}} with the fields to change.')
        self.store_user(user, self.apply_user_fields(user, data, creating=False))
        return self.respond(env.ok())

    def bulk_update_users(self, request: Request) -> Response:
        """``PUT /api/users``: different data for many users; per-row ``ret_code``, overall
        ``code`` 0 (all), 1 (partial) or 8 (none)."""
        rows = env.as_list((env.read_json(request).get("UserCollection") or {}).get("rows"))
        if not rows:
            raise env.invalid("UserCollection.rows is empty.")
        if len(rows) > MAX_BULK_UPDATE:
            raise env.invalid(f"At most {MAX_BULK_UPDATE} users can be updated in one call.")
        results, failures = [], 0
        for row in rows:
            user_id = str((row or {}).get("user_id") or "")
            try:
                user = self.find_user(user_id)
                self.store_user(user, self.apply_user_fields(user, row, creating=False))
                results.append({"user_id": user_id, "ret_code": "0"})
            except env.ApiError as exc:
                failures += 1
                results.append({"user_id": user_id, "ret_code": exc.code, "message": exc.message})
        code = "0" if not failures else ("8" if failures == len(rows) else "1")
        message = {"0": "Success", "1": "Partial success", "8": "Failed"}[code]
        body = {"UserCollection": {"rows": results}, "Response": {"code": code, "message": message}}
        return self.respond(body)

    def delete_users(self, request: Request) -> Response:
        ids = env.query_ids(request.args.get("id", ""))
        if not ids:
            raise env.invalid("Empty parameter id: give the user ids joined with '+'.")
        missing = [uid for uid in ids if uid not in self.users]
        if missing:
            raise env.not_found(f"User(s) {', '.join(missing[:20])} do not exist.")
        if ADMIN_USER_ID in ids:
            raise env.invalid("The Administrator (user 1) cannot be deleted.")
        if self.quirks.large_user_delete_truncates and len(ids) > DELETE_TRUNCATION:
            ids = ids[:DELETE_TRUNCATION]
        for user_id in ids:
            del self.users[user_id]
            for group in self.access_groups.values():
                group.user_ids.discard(user_id)
        self.bump()
        return self.respond(env.ok())

    def search_users_v2(self, request: Request) -> Response:
        criteria = env.read_json(request)
        criteria = criteria.get("adv_criteria", criteria)
        limit = env.parse_int(criteria.get("limit", 50), "limit")
        offset = env.parse_int(criteria.get("offset", 0), "offset")
        column, descending = parse_order(criteria.get("order_by"), {"user_id", "name"}, "user_id")
        tests = self._user_criteria(criteria)
        matched = [
            self.users[uid]
            for uid in self.sorted_user_ids(column, descending)
            if all(test(self.users[uid]) for test in tests)
        ]
        page = matched[offset : offset + limit if limit else None]
        rows = [self.render_user_v2(user) for user in page]
        total: Any = len(matched) if self.quirks.v2_integers else str(len(matched))
        body = {
            "UserCollection": {"total": total, "rows": rows},
            "Response": {**env.SUCCESS, "by": "web"},
        }
        return self.respond(body)

    def _user_criteria(self, criteria: dict[str, Any]) -> list:
        tests = []

        def like(field: str, wanted: str):
            return lambda u: wanted.lower() in str(getattr(u, field)).lower()

        for key, field in (
            ("user_id", "user_id"), ("user_name", "name"), ("search_text", "name"),
            ("user_email", "email"), ("user_phone", "phone"),
            ("user_department", "department"), ("user_title", "user_title"),
        ):  # fmt: skip
            if criteria.get(key) not in (None, ""):
                tests.append(like(field, str(criteria[key])))
        group_ids = [env.ref_id(g) for g in env.as_list(criteria.get("user_group_ids"))]
        if criteria.get("user_group_id") not in (None, "", ROOT_GROUP_ID, str(ROOT_GROUP_ID)):
            group_ids.append(str(criteria["user_group_id"]))
        if group_ids:
            allowed: set[int] = set()
            for gid in group_ids:
                allowed |= self.group_and_children(env.parse_int(gid, "user_group_id"))
            tests.append(lambda u: u.user_group_id in allowed)
        if "user_status" in criteria and criteria["user_status"] not in (None, ""):
            disabled = env.truthy(criteria["user_status"])
            tests.append(lambda u: u.disabled == disabled)
        return tests

    # -- writes -----------------------------------------------------------------------------
    def apply_user_fields(
        self, user: User, data: dict[str, Any], *, creating: bool, others: list[User] = ()
    ) -> list[int] | None:
        """Validate and apply the fields the document lists; raises before changing anything.
        Returns the access group ids the user should be a direct member of (None: unchanged)."""
        changes: dict[str, Any] = {}
        if "name" in data or creating:
            name = str(data.get("name") or "").strip()
            if not name and creating:
                raise env.invalid("name is required.")
            if len(name) > MAX_NAME:
                raise env.invalid(f"name is more than {MAX_NAME} characters.")
            changes["name"] = name
        if "user_group_id" in data:
            group_id = env.parse_int(env.ref_id(data["user_group_id"]), "user_group_id")
            if group_id not in self.user_groups:
                raise env.not_found(f"User group {group_id} does not exist.")
            changes["user_group_id"] = group_id
        aliases = {"title": "user_title"}  # the create example in the document says "title"
        for key in ("email", "phone", "department", "user_title", "title", "login_id", "password"):
            if key in data:
                changes[aliases.get(key, key)] = str(data[key] or "").strip()
        if "pin" in data:
            changes["pin"] = str(data["pin"] or "")
        if "disabled" in data:
            changes["disabled"] = env.truthy(data["disabled"])
        for key in ("start_datetime", "expiry_datetime"):
            if key in data:
                changes[key] = env.parse_ts(data[key], key)
        if "permission" in data:
            permission = env.ref_id(data["permission"])
            changes["permission_id"] = int(permission) if permission else None
        if "access_groups" in data:
            ag_ids = [
                env.parse_int(env.ref_id(ag), "access group id")
                for ag in env.as_list(data["access_groups"])
            ]
            unknown = [ag for ag in ag_ids if ag not in self.access_groups]
            if unknown:
                raise env.not_found(f"Access group(s) {unknown} do not exist.")
            changes["_access_groups"] = ag_ids
        self._check_unique(user, changes, others)
        start = changes.get("start_datetime", user.start_datetime)
        if changes.get("expiry_datetime", user.expiry_datetime) < start:
            raise env.invalid("expiry_datetime is before start_datetime.")
        ag_ids = changes.pop("_access_groups", None)
        for key, value in changes.items():
            setattr(user, key, value)
        return ag_ids

    def _check_unique(self, user: User, changes: dict[str, Any], others) -> None:
        for field in ("email", "login_id"):
            value = changes.get(field)
            if not value:
                continue
            clash = [
                u for u in (*self.users.values(), *others)
                if u is not user and u.user_id != user.user_id and getattr(u, field) == value
            ]  # fmt: skip
            if clash:
                owner = clash[0].user_id
                raise env.duplicate(f"{field} {value!r} is already used by user {owner}.")

    def store_user(self, user: User, access_group_ids: list[int] | None = None) -> None:
        self.users[user.user_id] = user
        if access_group_ids is not None:
            for group in self.access_groups.values():
                if group.id in access_group_ids:
                    group.user_ids.add(user.user_id)
                else:
                    group.user_ids.discard(user.user_id)
        user.last_modified = self.bump()
