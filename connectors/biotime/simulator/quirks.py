"""What a BioTime server may or may not do (quirks) and the faults a test can inject.

Things every BioTime server does are not switches: the ``count/next/previous/msg/code/data``
envelope, naive local times, string ``emp_code``, display names in transactions, the trailing
slash, the login answer holding only ``{"token": ...}``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal


@dataclass
class BioTimeQuirks:
    """Build-dependent behaviour, one field per item of vendor-quirks.md that varies by server.

    - ``next_as_string_null``: the last page's ``next`` is the string ``"null"``, not JSON null.
    - ``empty_page_results_key``: an empty page carries ``results: []`` beside ``data: []`` (the
      document's own example does, so it is on by default).
    - ``html_for_unknown_paths``: a wrong path (or one missing its trailing slash) answers 200
      with the web UI's HTML instead of Django's 404 page / 301 redirect.
    - ``employee_shape``: ``"nested"`` (9.x: ``department`` is an object plus ``dept_name``) or
      ``"flat"`` (8.x: ``department: 3`` plus ``dept_name``, ``area: [ids]`` plus ``area_name``).
    - ``fk_ids_on_detail``: as in the document, the object GET and the update answer foreign keys
      as ids while the list and the create answer objects; off: objects everywhere (nested shape).
    - ``custom_fields``: employees carry extra top-level keys, some with spaces ("Cost Center",
      "Passport No", "Global ID", "Primary Job").
    - ``no_resign_endpoints``: BioTime before 8.5 has no resignation API: every
      ``/personnel/api/resigns/…`` path answers Django's HTML 404 (or the web UI's page with
      ``html_for_unknown_paths``), as a path that does not exist.
    - ``punch_state_as_int``: ``punch_state`` is ``1`` instead of ``"1"``.
    - ``verify_type_as_string``: ``verify_type`` is ``"15"`` instead of ``15``.
    - ``temperature``: ``"zero"`` (``0.0``), ``"string"`` (``"36.6"``), ``"no_sensor"`` (``255``)
      or ``"mixed"`` (by terminal: thermal ones send strings, one sends 255, the rest 0.0).
    - ``terminal_state_as_string``: terminal ``state`` is ``"1"`` instead of ``1``.
    - ``is_attendance_style``: ``is_attendance`` as ``true`` (the document), ``1`` or ``"1"``.
    - ``punch_state_display``: ``"english"`` ("Check In"), ``"french"`` ("Départ"),
      ``"unknown"`` (always "Unknown") or ``"null"``.
    - ``slow_first_request_seconds`` / ``idle_threshold_seconds``: the first request after the
      server was idle this long (simulated time) is delayed this long (wall time); 0 = off.
    - ``page_size_param``: the query parameter this build honours for the page size,
      ``"page_size"`` or ``"limit"``; the other one is ignored (the default size applies).
    """

    next_as_string_null: bool = False
    empty_page_results_key: bool = True
    html_for_unknown_paths: bool = False
    employee_shape: Literal["nested", "flat"] = "nested"
    fk_ids_on_detail: bool = True
    custom_fields: bool = False
    punch_state_as_int: bool = False
    verify_type_as_string: bool = False
    temperature: Literal["zero", "string", "no_sensor", "mixed"] = "zero"
    terminal_state_as_string: bool = False
    is_attendance_style: Literal["bool", "int", "string"] = "bool"
    punch_state_display: Literal["english", "french", "unknown", "null"] = "english"
    slow_first_request_seconds: float = 0.0
    idle_threshold_seconds: float = 900.0
    page_size_param: Literal["page_size", "limit"] = "page_size"
    no_resign_endpoints: bool = False

    @classmethod
    def build_8x(cls) -> BioTimeQuirks:
        """An older 8.x server: flat employees, ints where 9.x sends strings, ``limit`` paging."""
        return cls(
            next_as_string_null=True,
            employee_shape="flat",
            punch_state_as_int=True,
            terminal_state_as_string=True,
            is_attendance_style="int",
            page_size_param="limit",
        )

    @classmethod
    def build_80(cls) -> BioTimeQuirks:
        """BioTime 8.0: an 8.x server that has no resignation endpoints yet (they came in 8.5)."""
        quirks = cls.build_8x()
        quirks.no_resign_endpoints = True
        return quirks

    @classmethod
    def messy(cls) -> BioTimeQuirks:
        """Every oddity at once (except the idle delay), for connector robustness tests."""
        return cls(
            next_as_string_null=True,
            html_for_unknown_paths=True,
            custom_fields=True,
            punch_state_as_int=True,
            verify_type_as_string=True,
            temperature="mixed",
            terminal_state_as_string=True,
            is_attendance_style="string",
            punch_state_display="french",
        )


@dataclass
class BioTimeFaults:
    """BioTime-specific faults; the kit's ``Faults`` (503s, timeouts, drops, latency) also apply.

    - ``repeat_page``: the next N list pages that have a next page answer with ``next`` pointing
      at themselves (a client that does not guard against loops never ends).
    - ``revoke_tokens_after``: after N more authenticated requests every token is revoked (general
      tokens deleted, the JWT secret rotated): the request that hits 0 and later ones answer 401
      until the client logs in again. ``None`` = off.
    - ``html_200``: the next N requests, whatever the path, answer 200 with an HTML page.
    - ``licence_missing``: API calls answer 403 saying the API module is not licensed
      (the logins still work).
    - ``ends_early``: the next N list pages that have a next page answer without one, while
      ``count`` still says every row exists (paging stops short of what the count promised).
    """

    repeat_page: int = 0
    revoke_tokens_after: int | None = None
    html_200: int = 0
    licence_missing: bool = False
    ends_early: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, name: str) -> bool:
        """Consume one use of the counted fault ``name`` if armed."""
        with self._lock:
            left = getattr(self, name)
            if left:
                setattr(self, name, left - 1)
                return True
        return False

    def count_down_revocation(self) -> bool:
        """Count one authenticated request; True when the tokens must be revoked now."""
        with self._lock:
            if self.revoke_tokens_after is None:
                return False
            self.revoke_tokens_after -= 1
            if self.revoke_tokens_after <= 0:
                self.revoke_tokens_after = None
                return True
        return False

    def clear(self) -> None:
        self.repeat_page = self.html_200 = self.ends_early = 0
        self.revoke_tokens_after = None
        self.licence_missing = False
