"""BioTime's logins and token checks, as djangorestframework-jwt and DRF's authtoken do them.

Two kinds of principal: system users (the web admin accounts) and staff (employees logging in
with their employee code and self-service password). Each kind has a JWT login, whose token
expires (``exp`` claim, HS256 over a server secret), and a general-token login, whose 40-hex key
never expires and is the same on every login until revoked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from connectors.simkit.clock import SimClock

LOGIN_FAILED = {"non_field_errors": ["Unable to log in with provided credentials."]}
LOCKED_OUT = "Account locked: too many login attempts. Contact an admin to unlock your account."


@dataclass(frozen=True)
class Principal:
    kind: str  # "system" | "staff"
    user_id: int
    username: str
    email: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.user_id)


class AuthFailed(Exception):
    """Answer ``status`` with ``body``; 401s carry the WWW-Authenticate challenge."""

    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Authenticator:
    """Issues and checks tokens; ``staff_lookup(emp_code)`` returns (emp pk, password, email)."""

    def __init__(
        self,
        clock: SimClock,
        *,
        users: dict[str, str],
        staff_lookup: Callable[[str], tuple[int, str, str] | None],
        jwt_lifetime: timedelta,
        lockout_after: int | None = 5,
        lockout_for: timedelta = timedelta(minutes=30),
        seed: int = 1,
    ):
        self.clock = clock
        self.system_users = {name: (index, pw) for index, (name, pw) in enumerate(users.items(), 1)}
        self.staff_lookup = staff_lookup
        self.jwt_lifetime = jwt_lifetime
        self.lockout_after = lockout_after
        self.lockout_for = lockout_for
        self._secret = hashlib.sha256(f"biotime-sim-{seed}".encode()).digest()
        self._tokens: dict[str, Principal] = {}
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, datetime] = {}
        self.logins = 0  # successful logins, for tests that check a client does not over-login

    # -- logins ---------------------------------------------------------------------------------
    def login(self, body: dict, *, staff: bool, jwt: bool) -> dict:
        """Check the credentials in ``body`` and answer ``{"token": ...}`` or raise AuthFailed."""
        missing = {
            key: ["This field is required."]
            for key in ("username", "password")
            if not isinstance(body.get(key), str) or not body.get(key)
        }
        if missing:
            raise AuthFailed(400, missing)
        username, password = body["username"], body["password"]
        now = self.clock.now()
        locked_until = self._locked_until.get(username)
        if locked_until and now < locked_until:
            raise AuthFailed(403, {"detail": LOCKED_OUT})
        principal = self._check_password(username, password, staff=staff)
        if principal is None:
            failures = self._failures.get(username, 0) + 1
            self._failures[username] = failures
            if self.lockout_after and failures >= self.lockout_after:
                self._locked_until[username] = now + self.lockout_for
                self._failures[username] = 0
            raise AuthFailed(400, LOGIN_FAILED)
        self._failures.pop(username, None)
        self.logins += 1
        return {"token": self.issue_jwt(principal) if jwt else self.issue_token(principal)}

    def _check_password(self, username: str, password: str, *, staff: bool) -> Principal | None:
        if staff:
            found = self.staff_lookup(username)
            if found and hmac.compare_digest(found[1], password):
                return Principal("staff", found[0], username, found[2])
            return None
        user = self.system_users.get(username)
        if user and hmac.compare_digest(user[1], password):
            return Principal("system", user[0], username, f"{username}@biotime.local")
        return None

    def unlock(self, username: str | None = None) -> None:
        if username is None:
            self._locked_until.clear()
            self._failures.clear()
        else:
            self._locked_until.pop(username, None)
            self._failures.pop(username, None)

    # -- tokens ---------------------------------------------------------------------------------
    def issue_token(self, principal: Principal) -> str:
        for key, owner in self._tokens.items():
            if owner.key == principal.key:
                return key
        key = secrets.token_hex(20)
        self._tokens[key] = principal
        return key

    def issue_jwt(self, principal: Principal) -> str:
        now = int(self.clock.now().timestamp())
        payload = {
            "user_id": principal.user_id,
            "username": principal.username,
            "exp": now + int(self.jwt_lifetime.total_seconds()),
            "email": principal.email,
            "orig_iat": now,
        }
        if principal.kind == "staff":
            payload["staff"] = True
        header = {"typ": "JWT", "alg": "HS256"}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)
        )
        signature = hmac.new(self._secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64url(signature)}"

    def revoke_all(self) -> None:
        """Delete every general token and rotate the JWT secret (a restore or a secret change)."""
        self._tokens.clear()
        self._secret = secrets.token_bytes(32)

    def authenticate(self, header: str | None) -> Principal:
        if not header:
            raise self._unauthorized("Authentication credentials were not provided.")
        parts = header.split()
        scheme = parts[0].lower()
        if scheme not in ("jwt", "token"):
            raise self._unauthorized("Authentication credentials were not provided.")
        if len(parts) == 1:
            raise self._unauthorized("Invalid Authorization header. No credentials provided.")
        if len(parts) > 2:
            raise self._unauthorized(
                "Invalid Authorization header. Credentials string should not contain spaces."
            )
        if scheme == "token":
            principal = self._tokens.get(parts[1])
            if principal is None:
                raise self._unauthorized("Invalid token.")
            return principal
        return self._decode_jwt(parts[1])

    def _decode_jwt(self, token: str) -> Principal:
        try:
            header_b64, payload_b64, signature_b64 = token.split(".")
            signature = _b64url_decode(signature_b64)
            payload = json.loads(_b64url_decode(payload_b64))
        except (ValueError, binascii.Error):
            raise self._unauthorized("Error decoding signature.") from None
        expected = hmac.new(
            self._secret, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(signature, expected):
            raise self._unauthorized("Error decoding signature.")
        if payload.get("exp", 0) <= self.clock.now().timestamp():
            raise self._unauthorized("Signature has expired.")
        kind = "staff" if payload.get("staff") else "system"
        if kind == "system" and payload.get("username") not in self.system_users:
            raise self._unauthorized("Invalid payload.")
        if kind == "staff" and self.staff_lookup(payload.get("username", "")) is None:
            raise self._unauthorized("Invalid payload.")
        return Principal(kind, payload["user_id"], payload["username"], payload.get("email", ""))

    @staticmethod
    def _unauthorized(detail: str) -> AuthFailed:
        return AuthFailed(401, {"detail": detail})
