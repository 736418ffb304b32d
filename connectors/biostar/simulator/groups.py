"""User groups (a tree under "All Users"), access levels (doors) and access groups (who may use
which access levels), with their list/get/create/update/delete/membership endpoints."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env
from connectors.biostar.simulator.state import ROOT_GROUP_ID, AccessGroup, UserGroup
from connectors.biostar.simulator.users import parse_order, user_sort_key

MAX_GROUP_NAME = 48
MAX_GROUP_DEPTH = 8


class GroupRoutes:
    # -- user groups ------------------------------------------------------------------------
    def group_and_children(self, group_id: int) -> set[int]:
        found, frontier = {group_id}, [group_id]
        while frontier:
            parent = frontier.pop()
            children = [g.id for g in self.user_groups.values() if g.parent_id == parent]
            found.update(children)
            frontier.extend(children)
        return found

    def render_user_group(self, group: UserGroup, counts: dict[int, int]) -> dict[str, Any]:
        row: dict[str, Any] = {"id": str(group.id), "name": group.name}
        if group.description:
            row["description"] = group.description
        if group.parent_id is not None:
            parent = self.user_groups[group.parent_id]
            row["parent_id"] = {"id": str(parent.id), "name": parent.name}
        row.update(
            depth=str(group.depth),
            inherited="true",
            face_count="0",
            user_count=str(counts.get(group.id, 0)),
        )
        return row

    def _group_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for user in self.users.values():
            counts[user.user_group_id] = counts.get(user.user_group_id, 0) + 1
        return counts

    def find_user_group(self, group_id: str) -> UserGroup:
        group = self.user_groups.get(env.parse_int(group_id, "id"))
        if group is None:
            raise env.not_found(f"User group {group_id} does not exist.")
        return group

    def list_user_groups(self, request: Request) -> Response:
        counts = self._group_counts()
        groups = [self.user_groups[g] for g in sorted(self.user_groups)]
        rows = [self.render_user_group(g, counts) for g in groups]
        return self.respond(env.ok(UserGroupCollection=env.collection(rows)))

    def get_user_group(self, request: Request, group_id: str) -> Response:
        group = self.find_user_group(group_id)
        return self.respond(env.ok(UserGroup=self.render_user_group(group, self._group_counts())))

    def create_user_group(self, request: Request) -> Response:
        data = env.read_json(request).get("UserGroup")
        if not isinstance(data, dict):
            raise env.invalid('Send {"UserGroup": {"parent_id": {"id": 1}, "name": ...}}.')
        parent_id = env.parse_int(env.ref_id(data.get("parent_id")) or ROOT_GROUP_ID, "parent_id")
        if parent_id not in self.user_groups:
            raise env.not_found(f"Parent user group {parent_id} does not exist.")
        name = self._valid_group_name(data.get("name"), parent_id, None)
        depth = self.user_groups[parent_id].depth + 1
        if depth > MAX_GROUP_DEPTH:
            raise env.invalid(f"User groups may be nested at most {MAX_GROUP_DEPTH} levels deep.")
        description = str(data.get("description") or "")
        group = UserGroup(self.next_id("user_group"), name, parent_id, description, depth)
        self.user_groups[group.id] = group
        self.bump()
        return self.respond(env.ok(UserGroup={"id": str(group.id), "name": group.name}))

    def update_user_group(self, request: Request, group_id: str) -> Response:
        group = self.find_user_group(group_id)
        data = env.read_json(request).get("UserGroup")
        if not isinstance(data, dict):
            raise env.invalid('Send {"UserGroup": {"name": ...}}.')
        if group.id == ROOT_GROUP_ID:
            raise env.invalid("The root user group cannot be changed.")
        parent_id = group.parent_id
        if "parent_id" in data:
            parent_id = env.parse_int(env.ref_id(data["parent_id"]), "parent_id")
            if parent_id not in self.user_groups or parent_id in self.group_and_children(group.id):
                raise env.invalid(f"User group {parent_id} cannot be the parent of {group.id}.")
        if "name" in data:
            group.name = self._valid_group_name(data["name"], parent_id, group.id)
        if "description" in data:
            group.description = str(data["description"] or "")
        group.parent_id = parent_id
        group.depth = self.user_groups[parent_id].depth + 1
        self.bump()
        return self.respond(env.ok())

    def delete_user_groups(self, request: Request) -> Response:
        ids = [env.parse_int(part, "id") for part in env.query_ids(request.args.get("id", ""))]
        if not ids:
            raise env.invalid("Empty parameter id.")
        doomed: set[int] = set()
        for group_id in ids:
            if group_id == ROOT_GROUP_ID:
                raise env.invalid("The root user group cannot be deleted.")
            if group_id not in self.user_groups:
                raise env.not_found(f"User group {group_id} does not exist.")
            doomed |= self.group_and_children(group_id)  # children go with their parent
        for user in self.users.values():
            if user.user_group_id in doomed:
                user.user_group_id = ROOT_GROUP_ID
                user.last_modified = self.bump()
        for group_id in doomed:
            del self.user_groups[group_id]
        for access_group in self.access_groups.values():
            kept = [g for g in access_group.user_group_ids if g not in doomed]
            access_group.user_group_ids = kept
        self.bump()
        return self.respond(env.ok())

    def _valid_group_name(self, name: Any, parent_id: int | None, own_id: int | None) -> str:
        name = str(name or "").strip()
        if not name:
            raise env.invalid("name is required.")
        if len(name) > MAX_GROUP_NAME:
            raise env.invalid(f"name is more than {MAX_GROUP_NAME} characters.")
        siblings = [g for g in self.user_groups.values() if g.parent_id == parent_id]
        if any(g.name == name and g.id != own_id for g in siblings):
            raise env.duplicate(f"A user group named {name!r} already exists in this parent group.")
        return name

    # -- access levels ----------------------------------------------------------------------
    def render_access_level(self, level_id: int, *, detail: bool = False) -> dict[str, Any]:
        level = self.access_levels[level_id]
        row: dict[str, Any] = {"id": str(level.id), "name": level.name}
        if level.description:
            row["description"] = level.description
        if detail:
            doors = [self.doors[d] for d in level.door_ids if d in self.doors]
            row["access_level_items"] = [
                {
                    "id": str(level.id),
                    "doors": [{"id": str(d.id), "name": d.name} for d in doors],
                    "schedule_id": {"id": str(level.schedule_id), "name": "Always"},
                }
            ]
        return row

    def list_access_levels(self, request: Request) -> Response:
        limit = env.parse_int(request.args.get("limit", 0), "limit")
        offset = env.parse_int(request.args.get("offset", 0), "offset")
        _, descending = parse_order(request.args.get("order_by"), {"id", "name"}, "id")
        ids = sorted(self.access_levels, reverse=descending)
        page = ids[offset : offset + limit if limit else None]
        rows = [self.render_access_level(i, detail=True) for i in page]
        return self.respond(env.ok(AccessLevelCollection=env.collection(rows, len(ids))))

    def get_access_level(self, request: Request, level_id: str) -> Response:
        level = env.parse_int(level_id, "id")
        if level not in self.access_levels:
            raise env.not_found(f"Access level {level_id} does not exist.")
        return self.respond(env.ok(AccessLevel=self.render_access_level(level, detail=True)))

    # -- access groups ----------------------------------------------------------------------
    def access_groups_of(self, user_id: str) -> list[AccessGroup]:
        return [ag for ag in self.access_groups.values() if user_id in ag.user_ids]

    def render_access_group(
        self, group: AccessGroup, counts: dict[int, int] | None = None
    ) -> dict[str, Any]:
        counts = self._group_counts() if counts is None else counts
        row: dict[str, Any] = {"id": str(group.id), "name": group.name}
        if group.description:
            row["description"] = group.description
        members = sorted((u for u in group.user_ids if u in self.users), key=user_sort_key)
        if members:
            row["users"] = [{"name": self.users[u].name, "user_id": u} for u in members]
        row["user_count"] = str(len(members))
        groups = [self.user_groups[g] for g in group.user_group_ids if g in self.user_groups]
        if groups:
            row["user_groups"] = [self.render_user_group(g, counts) for g in groups]
        levels = [i for i in group.access_level_ids if i in self.access_levels]
        if levels:
            row["access_levels"] = [self.render_access_level(i) for i in levels]
        return row

    def render_access_group_v2(self, group: AccessGroup) -> dict[str, Any]:
        """The v2 search's concise row: no counts or descriptions, empty blocks as ``{}``."""
        members = sorted((u for u in group.user_ids if u in self.users), key=user_sort_key)
        row = {
            "id": str(group.id),
            "name": group.name,
            "users": [{"user_id": u, "name": self.users[u].name} for u in members],
            "user_groups": [
                {"id": str(g), "name": self.user_groups[g].name}
                for g in group.user_group_ids
                if g in self.user_groups
            ],
            "access_levels": [
                {"id": str(i), "name": self.access_levels[i].name}
                for i in group.access_level_ids
                if i in self.access_levels
            ],
            "floor_levels": {},
        }
        return env.to_v2(row) if self.quirks.v2_integers else row

    def find_access_group(self, group_id: str) -> AccessGroup:
        group = self.access_groups.get(env.parse_int(group_id, "id"))
        if group is None:
            raise env.not_found(f"Access group {group_id} does not exist.")
        return group

    def list_access_groups(self, request: Request) -> Response:
        counts = self._group_counts()
        groups = sorted(self.access_groups.values(), key=lambda g: g.id)
        rows = [self.render_access_group(g, counts) for g in groups]
        return self.respond(env.ok(AccessGroupCollection=env.collection(rows)))

    def search_access_groups_v2(self, request: Request) -> Response:
        body = env.read_json(request)
        limit = env.parse_int(body.get("limit", 0), "limit")
        column, descending = parse_order(body.get("order_by"), {"id", "name"}, "id")
        groups = sorted(
            self.access_groups.values(),
            key=lambda g: (getattr(g, column), g.id),
            reverse=descending,
        )
        rows = [self.render_access_group_v2(g) for g in groups[: limit or None]]
        total: Any = len(groups) if self.quirks.v2_integers else str(len(groups))
        return self.respond(env.ok(AccessGroupCollection={"total": total, "rows": rows}))

    def get_access_group(self, request: Request, group_id: str) -> Response:
        group = self.find_access_group(group_id)
        return self.respond(env.ok(AccessGroup=self.render_access_group(group)))

    def access_group_users(self, request: Request, group_id: str) -> Response:
        """Users of an AG. An unknown id answers success with no records (the document says so)."""
        group = self.access_groups.get(env.parse_int(group_id, "id"))
        members: set[str] = set()
        if group is not None:
            members = {u for u in group.user_ids if u in self.users}
            in_groups: set[int] = set()
            for group_id_ in group.user_group_ids:
                in_groups |= self.group_and_children(group_id_)
            members |= {u.user_id for u in self.users.values() if u.user_group_id in in_groups}
        ordered = sorted(members, key=user_sort_key)
        rows = [{"user_id": u, "name": self.users[u].name} for u in ordered]
        return self.respond(env.ok(UserCollection=env.collection(rows)))

    def create_access_group(self, request: Request) -> Response:
        data = env.read_json(request).get("AccessGroup")
        if not isinstance(data, dict):
            raise env.invalid('Send {"AccessGroup": {"name": ..., ...}}.')
        group = AccessGroup(self.next_id("access_group"), "")
        self._apply_access_group(group, data, creating=True)
        self.access_groups[group.id] = group
        self.bump()
        body = env.ok(
            AccessGroup={"id": str(group.id), "name": group.name},
            DeviceResponse={"rows": self._device_acks(), "result": "true"},
        )
        return self.respond(body)

    def update_access_group(self, request: Request, group_id: str) -> Response:
        group = self.find_access_group(group_id)
        data = env.read_json(request).get("AccessGroup")
        if not isinstance(data, dict):
            raise env.invalid('Send {"AccessGroup": {...}}.')
        self._apply_access_group(group, data, creating=False)
        self.bump()
        return self.respond(env.ok())

    def delete_access_group(self, request: Request) -> Response:
        ids = [env.parse_int(p, "id") for p in env.query_ids(request.args.get("id", ""))]
        if not ids:
            raise env.invalid("Empty parameter id.")
        for group_id in ids:
            if group_id not in self.access_groups:
                raise env.not_found(f"Access group {group_id} does not exist.")
        for group_id in ids:
            self.touch_users(self.access_groups.pop(group_id).user_ids)
        self.bump()
        return self.respond(env.ok())

    def _apply_access_group(
        self, group: AccessGroup, data: dict[str, Any], *, creating: bool
    ) -> None:
        """Replace semantics per the document: a given list replaces the old one; ``user_groups``
        left out of an update empties it; ``new_users``/``delete_users`` add and remove."""
        name = str(data.get("name", group.name) or "").strip()
        if not name:
            raise env.invalid("name is a required and unique parameter.")
        if any(g.name == name and g.id != group.id for g in self.access_groups.values()):
            raise env.duplicate(f"An access group named {name!r} already exists.")

        def user_ids(key: str) -> list[str]:
            rows = env.as_list(data.get(key))
            ids = [str(u.get("user_id") if isinstance(u, dict) else u) for u in rows]
            unknown = [u for u in ids if u not in self.users]
            if unknown:
                raise env.not_found(f"User(s) {', '.join(unknown)} do not exist.")
            return ids

        def ref_ids(key: str, known: dict) -> list[int]:
            ids = [env.parse_int(env.ref_id(r), key) for r in env.as_list(data.get(key))]
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise env.not_found(f"{key} {unknown} do not exist.")
            return ids

        users = user_ids("users") if "users" in data else None
        new_users, delete_users = user_ids("new_users"), user_ids("delete_users")
        user_groups = ref_ids("user_groups", self.user_groups)
        levels = ref_ids("access_levels", self.access_levels) if "access_levels" in data else None
        before = set(group.user_ids)
        group.name = name
        if "description" in data or creating:
            group.description = str(data.get("description") or "")
        if users is not None:
            group.user_ids = set(users)
        group.user_ids |= set(new_users)
        group.user_ids -= set(delete_users)
        group.user_group_ids = user_groups
        if levels is not None:
            group.access_level_ids = levels
        self.touch_users(before ^ group.user_ids)  # their access_groups field changed

    def touch_users(self, user_ids) -> None:
        """Mark users as changed so a ``last_modified`` pull sees new memberships."""
        for user_id in user_ids:
            if user_id in self.users:
                self.users[user_id].last_modified = self.bump()
