from django import forms
from django.utils import timezone

from connectors.registry import vendors
from portal.core.wording import join_names
from portal.people.models import Person


def termination_reason_help() -> str:
    keepers = [e.short_label for e in vendors().values() if e.keeps_termination_reason]
    if not keepers:
        return "Kept in the audit log."
    return f"Kept in the audit log and sent to {join_names(keepers)} as the reason for leaving."


def code_change_help() -> str:
    """What changing the employee code does in each system that takes people from Workgate."""
    said = [
        f"{e.short_label} {e.code_change}."
        for e in vendors().values()
        if e.code_change and e.can("writes", "people")
    ]
    return " ".join(["Changing it:", *said]) if said else ""


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "employee_code",
            "first_name",
            "last_name",
            "email",
            "phone",
            "department",
            "position",
            "sites",
            "manager",
            "hire_date",
        ]
        widgets = {
            "hire_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "sites": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "employee_code": "As on the badge and in payroll. Leading zeros count: 00042 ≠ 42."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and (said := code_change_help()):
            field = self.fields["employee_code"]
            field.help_text = f"{field.help_text} {said}"

    def clean_employee_code(self):
        code = self.cleaned_data["employee_code"].strip()
        if not code.replace("-", "").isalnum():
            raise forms.ValidationError(
                "Use letters, digits and dashes only; vendors reject other characters."
            )
        return code

    def clean_manager(self):
        manager = self.cleaned_data.get("manager")
        if manager and self.instance.pk and manager.pk == self.instance.pk:
            raise forms.ValidationError("A person cannot be their own manager.")
        return manager


class TerminationForm(forms.Form):
    AT_END_OF_DAY = "end_of_day"
    NOW = "now"

    termination_date = forms.DateField(
        label="Last working day",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    reason = forms.CharField(max_length=200, help_text=termination_reason_help())
    when = forms.ChoiceField(
        label="Revoke access",
        choices=[
            (AT_END_OF_DAY, "At the end of the last working day (site time)"),
            (NOW, "Now: an involuntary termination, access ends at once"),
        ],
        initial=AT_END_OF_DAY,
        required=False,
        widget=forms.RadioSelect,
    )

    @property
    def immediate(self) -> bool:
        return self.cleaned_data.get("when") == self.NOW

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_termination_date(self):
        last_day = self.cleaned_data["termination_date"]
        if self.person is not None and (problem := self.person.termination_date_problem(last_day)):
            raise forms.ValidationError(problem)
        return last_day


class CancelOffboardingForm(forms.Form):
    cancel_reason = forms.CharField(
        label="Why is it cancelled?", max_length=200, help_text="Kept in the audit log."
    )
