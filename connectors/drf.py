"""Error bodies of Django REST framework servers (BioTime and Zeitstrom both are one).

DRF answers a refusal as ``{"detail": …}``, as ``{"field": ["problem", …], …}`` or as a bare
list; Django itself answers a path no API view serves with an HTML page.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import httpx

from connectors import errors
from connectors.client import raise_for_status

NON_FIELD = "non_field_errors"


def error_message(
    body: Any, *, message_keys: Collection[str] = (), non_field_is_field: bool = False
) -> tuple[str, str | None]:
    """An error body as (message, first field named in it).

    ``message_keys``: further keys that hold the whole message when set (BioTime's ``msg``).
    ``non_field_is_field``: name ``non_field_errors`` as the field (Zeitstrom tells a replay by
    it); otherwise the first real field is named.
    """
    if isinstance(body, Mapping):
        if "detail" in body:
            return str(body["detail"]), None
        for key in message_keys:
            if body.get(key):
                return str(body[key]), None
        parts, first = [], None
        for name, problems in body.items():
            listed = problems if isinstance(problems, list) else [problems]
            words = "; ".join(str(p) for p in listed)
            parts.append(words if name == NON_FIELD else f"{name}: {words}")
            if non_field_is_field or name != NON_FIELD:
                first = first or str(name)
        return " | ".join(parts), first
    if isinstance(body, list):
        return "; ".join(str(p) for p in body), None
    return "", None


def raise_for_html_page(response: httpx.Response, vendor: str) -> None:
    """An error answered by Django's own HTML page: no API view there (404) or the server broke."""
    status, path = response.status_code, response.request.url.path
    if status == 404:
        raise errors.NotFoundError(
            f"{vendor} has no API at {path} (HTML 404); check the server address.",
            status_code=status,
        )
    raise_for_status(response, f"{vendor} answered {path} with an HTML error page (HTTP {status})")
