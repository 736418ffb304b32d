from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from connectors.registry import vendors
from portal.core.wording import join_names
from portal.people.models import Person
from portal.people.pickers import PersonPickerField
from portal.people.selectors import manager_chain_ids


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
    manager = PersonPickerField(required=False)
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Portal login",
        help_text="The login this person signs in with: a manager sees the team of the person "
        "their login belongs to.",
    )

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
            "user",
        ]
        widgets = {
            "hire_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "sites": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "employee_code": "As on the badge and in payroll. Leading zeros count: 00042 ≠ 42."
        }

    def __init__(self, *args, can_link_login: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # active people; the current manager stays valid after they left, so other edits save
        others = Person.objects.filter(
            Q(status=Person.Status.ACTIVE) | Q(pk=self.instance.manager_id)
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = others
        if can_link_login:
            # logins not yet linked to someone else
            taken = Person.objects.exclude(pk=self.instance.pk).filter(user__isnull=False)
            self.fields["user"].queryset = (
                get_user_model()
                .objects.filter(is_active=True)
                .exclude(pk__in=taken.values("user_id"))
                .order_by("username")
            )
        else:  # only those allowed to manage logins see or change the link
            del self.fields["user"]
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
        if manager is None or not self.instance.pk:
            return manager
        if manager.pk == self.instance.pk:
            raise forms.ValidationError("A person cannot be their own manager.")
        if self.instance.pk in manager_chain_ids(manager.pk):
            raise forms.ValidationError(
                f"{manager.full_name} already reports to {self.instance.full_name} (directly or "
                "further down): choose someone outside this person's team."
            )
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
