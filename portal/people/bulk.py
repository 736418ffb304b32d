"""Changing one field of many people at once (department, site, manager).

Each person goes through ``services.save_person`` on its own, as if HR had edited that person's
page: the change is validated, audited and pushed to every system, and a person whose change
fails does not undo the others. The result says, per person, what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.forms.models import modelform_factory

from portal.core import audit
from portal.core.params import is_database_id
from portal.people import services
from portal.people.models import Department, Person, Site
from portal.people.pickers import code_in

#: most people one confirmation may change: each is its own save and push
MAX_PEOPLE = 500

ACTIONS = {
    "department": "Set department",
    "site": "Set site (replaces their sites)",
    "manager": "Set manager",
}


class PeopleField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if any(not is_database_id(v) for v in value):
            raise forms.ValidationError("Select people from the list.", code="invalid_pk_value")
        if len(value) > MAX_PEOPLE:
            raise forms.ValidationError(
                f"Select at most {MAX_PEOPLE} people at a time; narrow the list with the filters."
            )
        return super()._check_values(value)


class CheckedChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_database_id(value):
            raise forms.ValidationError("Choose from the list.", code="invalid_choice")
        return super().to_python(value)


class BulkChangeForm(forms.Form):
    person = PeopleField(
        queryset=Person.objects.all(),
        error_messages={"required": "Select at least one person in the list first."},
    )
    action = forms.ChoiceField(choices=ACTIONS.items(), label="Change")
    department = CheckedChoiceField(queryset=Department.objects.all(), required=False)
    site = CheckedChoiceField(queryset=Site.objects.all(), required=False)
    # "Full Name (code)" as the suggestions offer it, or a bare code
    manager_code = forms.CharField(label="Manager's employee code", max_length=250, required=False)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "department" and not data.get("department"):
            self.add_error("department", "Choose the department to move them to.")
        elif action == "site" and not data.get("site"):
            self.add_error("site", "Choose the site they work at.")
        elif action == "manager":
            code = code_in(data.get("manager_code") or "")
            if not code:
                self.add_error("manager_code", "Type the employee code of their new manager.")
            else:
                data["manager"] = Person.objects.filter(employee_code=code).first()
                if data["manager"] is None:
                    self.add_error(
                        "manager_code", f"Nobody has the employee code {code}. Check the code."
                    )
        return data

    @property
    def value(self):
        """The new value, as people read it."""
        action = self.cleaned_data["action"]
        return self.cleaned_data["manager" if action == "manager" else action]

    def summary(self) -> str:
        count = len(self.cleaned_data["person"])
        people = f"{count} {'person' if count == 1 else 'people'}"
        value = self.value
        if self.cleaned_data["action"] == "manager":
            return f"Make {value.full_name} ({value.employee_code}) the manager of {people}"
        if self.cleaned_data["action"] == "site":
            return f"Set the site of {people} to {value} (replacing their other sites)"
        return f"Move {people} to the department {value}"


@dataclass(frozen=True)
class RowResult:
    person: Person
    outcome: str  # "changed", "unchanged", "refused"
    message: str


class ManagerForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["manager"]

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if manager and manager.pk == self.instance.pk:
            raise forms.ValidationError("A person cannot be their own manager.")
        return manager


def field_form(action: str, person: Person, value):
    """A form over the one field the action changes, bound as a page edit would be."""
    if action == "manager":
        return ManagerForm({"manager": value.pk}, instance=person)
    if action == "site":
        return modelform_factory(Person, fields=["sites"])({"sites": [value.pk]}, instance=person)
    return modelform_factory(Person, fields=["department"])(
        {"department": value.pk}, instance=person
    )


def current_value(action: str, person: Person):
    if action == "site":
        return sorted(site.pk for site in person.sites.all())
    return getattr(person, f"{action}_id")


def apply_bulk_change(form: BulkChangeForm, request) -> list[RowResult]:
    action, value = form.cleaned_data["action"], form.value
    wanted = [value.pk] if action == "site" else value.pk
    people = Person.objects.filter(pk__in=[p.pk for p in form.cleaned_data["person"]])
    results = []
    for person in people.prefetch_related("sites").order_by("last_name", "first_name", "pk"):
        if current_value(action, person) == wanted:
            results.append(RowResult(person, "unchanged", "Already set; nothing sent."))
            continue
        edit = field_form(action, person, value)
        if not edit.is_valid():
            reason = " ".join(e for errors in edit.errors.values() for e in errors)
            results.append(RowResult(person, "refused", reason))
            continue
        try:
            services.save_person(edit, request)
        except (DatabaseError, ValidationError) as exc:  # the others go on regardless
            results.append(RowResult(person, "refused", f"Not saved: {exc}"))
            continue
        results.append(RowResult(person, "changed", "Saved; connected systems are being updated."))
    with transaction.atomic():
        audit.record(
            "people.bulk_changed",
            request=request,
            after={
                "field": action,
                "value": str(value),
                "people": len(results),
                "changed": sum(r.outcome == "changed" for r in results),
                "refused": sum(r.outcome == "refused" for r in results),
            },
        )
    return results
