"""Choosing a person by typing: a text box with the browser's own suggestion list (datalist).

The box shows and accepts "Full Name (code)"; a bare employee code works too. Only active
people are offered and accepted. A small company gets everyone in the list at once; above
``LISTED_AT_ONCE`` people the list is filled as one types, by a search request
(``people:person-suggest``, the directory's search), so a form never carries 50,000 names.
"""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from portal.people.models import Person

_CODE_IN_PARENTHESES = re.compile(r"\(([^()]+)\)\s*$")
#: up to this many people are listed in the page; more are searched as one types
LISTED_AT_ONCE = 200
#: suggestions a search request answers with
SUGGESTED = 20


def person_label(person: Person) -> str:
    return f"{person.full_name} ({person.employee_code})"


def code_in(text: str) -> str:
    """The employee code in "Full Name (code)", or the text itself (a bare code)."""
    found = _CODE_IN_PARENTHESES.search(text)
    return found.group(1).strip() if found else text.strip()


def suggest_attrs(field_name: str, list_id: str) -> dict[str, str]:
    """What makes a text box fill its datalist ``list_id`` as one types."""
    return {
        "hx-get": f"{reverse('people:person-suggest')}?field={field_name}",
        "hx-trigger": "input changed delay:250ms",
        "hx-target": f"#{list_id}",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }


class PersonPickerWidget(forms.TextInput):
    """A text input tied to a ``<datalist>`` of the people it accepts (rendered right after it,
    so the form templates need nothing special)."""

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.choices_queryset = Person.objects.none()

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-options"
        attrs = {**(attrs or {}), "list": list_id}
        people = list(self.choices_queryset[: LISTED_AT_ONCE + 1])
        if len(people) > LISTED_AT_ONCE:
            people = []  # too many to list: ask as one types
            attrs |= suggest_attrs(name, list_id)
        box = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}"></option>', ((person_label(p),) for p in people)
        )
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, options)


class PersonPickerField(forms.ModelChoiceField):
    widget = PersonPickerWidget
    default_error_messages = {
        "invalid_choice": "No active person has that name and code. Pick one from the list "
        "(type a name or an employee code).",
    }

    def __init__(self, queryset=None, **kwargs):
        queryset = queryset if queryset is not None else Person.objects.none()
        kwargs.setdefault("help_text", "Type a name or employee code and pick from the list.")
        super().__init__(queryset, **kwargs)

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.choices_queryset = self.queryset.only(
            "first_name", "last_name", "employee_code"
        )

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def prepare_value(self, value):
        if isinstance(value, Person):
            return person_label(value)
        if isinstance(value, int):  # an unbound form's initial value is the manager's pk
            person = Person.objects.filter(pk=value).first()
            return person_label(person) if person is not None else ""
        return value or ""

    def to_python(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            # the API names the manager by id (a JSON number); the page by "Name (code)"
            person = self.queryset.filter(pk=value).first()
            if person is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice"
                )
            return person
        text = (value or "").strip()
        if text in self.empty_values:
            return None
        code = code_in(text)
        person = self.queryset.filter(employee_code=code).first()
        if person is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return person
