"""Every API error in one shape: ``{"errors": [{"field", "code", "message"}]}``.

``field`` is the input field at fault (``null`` when the error is about the request as a whole).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """The request is well formed but the object's state refuses it (already terminated …)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The object is not in a state that allows this."


@contextmanager
def refusals(
    conflict: type[Exception] | tuple[type[Exception], ...] = (),
    invalid: type[Exception] | tuple[type[Exception], ...] = (),
    field: str | None = None,
) -> Iterator[None]:
    """A service's refusal as the API's answer, its sentence as the message: ``conflict`` ones
    (the object's state refuses: approved period, lockdown) are a 409, ``invalid`` ones a 400 on
    ``field``. ``conflict`` is checked first, so it may name a subclass of an ``invalid`` one."""
    try:
        yield
    except conflict as refused:
        raise Conflict(str(refused)) from None
    except invalid as refused:
        raise exceptions.ValidationError(
            {field: [str(refused)]} if field else [str(refused)]
        ) from None


def field_errors(detail, field: str | None = None) -> list[dict]:
    """Flatten DRF's nested error detail into one list, naming each field ("sites.0")."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__") else str(key)
            found += field_errors(value, f"{field}.{name}" if field and name else (name or field))
        return found
    if isinstance(detail, list):
        found = []
        for value in detail:
            found += field_errors(value, field)
        return found
    return [
        {"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}
    ]


def from_django(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            key: [exceptions.ErrorDetail(m, e.code or "invalid") for e in errs for m in e.messages]
            for key, errs in exc.error_dict.items()
        }
    else:
        detail = [exceptions.ErrorDetail(m, exc.code or "invalid") for m in exc.messages]
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = from_django(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling and logging
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, exceptions.ValidationError):
        errors = [{"field": None, "code": exc.get_codes(), "message": str(exc.detail)}]
        if isinstance(exc.detail, dict | list):
            errors = field_errors(exc.detail)
    else:
        errors = field_errors(detail)
    return Response({"errors": errors}, status=response.status_code, headers=_headers(response))


def _headers(response) -> dict:
    return {k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")}


@csrf_exempt  # like every DRF view: API clients send tokens, not CSRF cookies
def not_found(request, *args, **kwargs):
    """A JSON 404 for API paths no resource answers (a wrong id format, a typo)."""
    from django.http import JsonResponse

    error = {
        "field": None,
        "code": "not_found",
        "message": "There is no API resource at this path.",
    }
    return JsonResponse({"errors": [error]}, status=404)
