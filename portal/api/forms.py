"""Running the pages' Django forms on JSON input, so the API validates exactly as the pages do."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Model
from rest_framework import exceptions

from portal.api.errors import from_django


def json_object(request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError(
            [exceptions.ErrorDetail("Send a JSON object.", code="parse_error")]
        )
    return request.data


def instance_data(instance: Model, names: list[str]) -> dict:
    """What a form would show for ``instance``: foreign keys and many-to-many as ids."""
    data = {}
    for name in names:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            data[name] = [obj.pk for obj in getattr(instance, name).all()] if instance.pk else []
        elif field.is_relation:
            data[name] = getattr(instance, field.attname)
        else:
            value = getattr(instance, name)
            data[name] = value.isoformat() if isinstance(value, date) else value
    return {k: ("" if v is None else v) for k, v in data.items()}


def valid_form(form):
    """``form`` if valid; else a 400 with its errors, one per field, codes kept."""
    if not form.is_valid():
        raise from_django(ValidationError(form.errors.as_data()))
    return form
