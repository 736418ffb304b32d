"""Login sessions: ``POST /api/login`` hands out ``bs-session-id`` in a response header, the client
sends it back as a request header; sessions end after an idle time, an absolute lifetime, a
logout, a newer login of the same user (quirk) or an injected fault."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.wrappers import Request, Response

from connectors.biostar.simulator import envelope as env

SESSION_HEADER = "bs-session-id"


@dataclass
class Session:
    id: str
    user_id: str
    created: datetime
    last_seen: datetime


class SessionStore:
    def __init__(self, idle: timedelta, lifetime: timedelta):
        self.idle = idle
        self.lifetime = lifetime
        self._sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def create(self, user_id: str, now: datetime, *, end_older: bool) -> Session:
        if end_older:
            for old in [s for s in self._sessions.values() if s.user_id == user_id]:
                del self._sessions[old.id]
        session = Session(uuid.uuid4().hex, user_id, now, now)
        self._sessions[session.id] = session
        return session

    def use(self, session_id: str | None, now: datetime) -> Session | None:
        """The live session with this id, its idle timer restarted; None if unknown or ended."""
        session = self._sessions.get(session_id or "")
        if session is None:
            return None
        if now - session.last_seen > self.idle or now - session.created > self.lifetime:
            del self._sessions[session.id]
            return None
        session.last_seen = now
        return session

    def end(self, session_id: str | None) -> None:
        self._sessions.pop(session_id or "", None)

    def end_all(self) -> None:
        self._sessions.clear()


class AuthRoutes:
    """``POST /api/login``, ``POST /api/logout`` and the session check of every other call."""

    def login(self, request: Request) -> Response:
        fields = self._login_fields(request)
        login_id, password = str(fields.get("login_id") or ""), str(fields.get("password") or "")
        user = next((u for u in self.users.values() if u.login_id and u.login_id == login_id), None)
        if user is None or user.password != password or user.disabled:
            raise env.login_failed()
        session = self.sessions.create(
            user.user_id, self.clock.now(), end_older=self.quirks.new_login_ends_old_sessions
        )
        body = env.ok(User=self.render_user(user))
        return self.respond(body, headers={SESSION_HEADER: session.id})

    def logout(self, request: Request) -> Response:
        self.sessions.end(request.headers.get(SESSION_HEADER))
        return self.respond(env.ok())

    def _login_fields(self, request: Request) -> dict:
        """The document shows a JSON body; its prose says form-encoded: accept both, and the
        ``{"User": {...}}`` wrapping real clients send (quirk: only that one)."""
        wrapped_only = self.quirks.wrapped_login_only
        if request.mimetype == "application/x-www-form-urlencoded" and request.form:
            if wrapped_only:
                raise env.invalid('Send {"User": {"login_id": ..., "password": ...}}.')
            return dict(request.form)
        body = env.read_json(request)
        user = body.get("User")
        if isinstance(user, dict):
            return user
        if wrapped_only:
            raise env.invalid('Send {"User": {"login_id": ..., "password": ...}}.')
        return body

    def check_session(self, request: Request) -> None:
        session = self.sessions.use(request.headers.get(SESSION_HEADER), self.clock.now())
        if session is None:
            raise env.login_required()
        if self._sessions_end_in is not None:  # fault: the server drops sessions mid-paging
            self._sessions_end_in -= 1
            if self._sessions_end_in <= 0:
                self._sessions_end_in = None
                self._end_sessions_after_response = True

    # -- faults -----------------------------------------------------------------------------
    def end_sessions_after(self, requests: int) -> None:
        """Fault: the next ``requests`` authenticated calls succeed, then every session ends (the
        call after them answers code "10"), as when a server restarts in the middle of paging."""
        self._sessions_end_in = requests
        if requests <= 0:
            self._sessions_end_in = None
            self.sessions.end_all()

    def end_all_sessions(self) -> None:
        self.sessions.end_all()
