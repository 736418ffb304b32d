"""What some BioStar servers do and others do not (vendor-quirks.md), one switch per behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class BioStarQuirks:
    """Switchable server behaviour. Defaults follow the document.

    omit_empty_collections
        When nothing matches, leave the ``<Name>Collection`` key out of the answer entirely
        instead of sending ``{"total": "0", "rows": []}``.
    v2_integers
        The ``/api/v2/...`` search endpoints send integers (ids, counts, ``total``) and JSON
        booleans, as the document's v2 examples show. Off: they send strings like v1 endpoints.
    malformed_request_ends_session
        Old servers: a request whose body is not valid JSON (or not an object) is refused and
        also ends the session that sent it, so the next call answers code ``"10"``.
    large_user_delete_truncates
        ``DELETE /api/users`` with more than 1000 ids answers success but deletes only the first
        1000 (the "misbehaves on some versions" of the quirks file): clients must batch.
    new_login_ends_old_sessions
        A new login of a user ends every older session of that user.
    indexed_object_arrays
        Arrays in answers are rendered as objects keyed ``"0"``, ``"1"``, ... the way several of
        the document's v1 examples show them (``"rows": {"0": {...}}``).
    """

    omit_empty_collections: bool = False
    v2_integers: bool = True
    malformed_request_ends_session: bool = False
    large_user_delete_truncates: bool = False
    new_login_ends_old_sessions: bool = False
    indexed_object_arrays: bool = False
    wrapped_login_only: bool = False
    no_device_search: bool = False
    status_without_alarms: bool = False
    ignore_offset: bool = False
    server_datetime_only: bool = False
    anonymous_events: bool = False
