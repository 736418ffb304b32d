"""Running the pages' Django forms on JSON input, so the API validates exactly as the pages do."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from rest_framework import exceptions
from rest_framework.exceptions import ErrorDetail

from portal.api.errors import from_django


def json_object(request) -> dict:
    if not isinstance(request.data, dict):
        raise exceptions.ValidationError(
            [exceptions.ErrorDetail("Send a JSON object.", code="parse_error")]
        )
    return request.data


def valid(serializer_class, request) -> dict:
    """The request's JSON object through ``serializer_class``: its validated data, or a 400."""
    serializer = serializer_class(data=json_object(request))
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


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


SCALARS = (str, int, float, bool, type(None))


def check_value_types(form) -> None:
    """JSON can send a list or an object where a form expects one value: a 400, not a crash."""
    problems = {}
    for name, field in form.fields.items():
        if name not in form.data:
            continue
        value = form.data[name]
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
                problems[name] = [ErrorDetail("Send a list of ids.", code="invalid")]
        elif not isinstance(value, SCALARS):
            problems[name] = [ErrorDetail("Send a single value.", code="invalid")]
    if problems:
        raise exceptions.ValidationError(problems)


def valid_form(form):
    """``form`` if valid; else a 400 with its errors, one per field, codes kept."""
    check_value_types(form)
    if not form.is_valid():
        raise from_django(ValidationError(form.errors.as_data()))
    return form
