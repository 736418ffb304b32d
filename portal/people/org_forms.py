"""Forms for departments, positions and sites: the limits every connected system can take."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms
from django.core.exceptions import ValidationError

from portal.people.models import Department, Position, Site
from portal.people.org_services import NAME_LIMITS, check_department

CODE_HELP = "Short and unique; BioTime keeps it as the record's code."


class OrgForm(forms.ModelForm):
    kind = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = NAME_LIMITS[self.kind]
        self.fields["name"].max_length = limit
        self.fields["name"].widget.attrs["maxlength"] = limit
        self.fields[
            "name"
        ].help_text = (
            f"At most {limit} characters: the longest name every connected system accepts."
        )
        self.fields["name"].validators.append(_max_length(limit))
        self.fields["code"].help_text = CODE_HELP

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_code(self):
        return self.cleaned_data["code"].strip()


def _max_length(limit: int):
    def check(value: str) -> None:
        if len(value) > limit:
            raise ValidationError(
                f"At most {limit} characters ({len(value)} given): a longer name would be cut off "
                "or refused by a connected system."
            )

    return check


class DepartmentForm(OrgForm):
    kind = "department"

    class Meta:
        model = Department
        fields = ["name", "code", "parent"]
        labels = {"parent": "Part of"}
        help_texts = {
            "parent": "Leave empty for a top-level department. BioTime and BioStar keep the same "
            "tree."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.order_by("name")
        if self.instance.pk:  # not itself nor anything below it
            below = {self.instance.pk} | _descendants(self.instance.pk)
            parents = parents.exclude(pk__in=below)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = "(top level)"

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            self.instance.parent = cleaned.get("parent")
            self.instance.name = cleaned.get("name", "")
            try:
                check_department(self.instance)
            except ValidationError as refused:
                self.add_error(None, refused)
        return cleaned


def _descendants(pk: int) -> set[int]:
    found, frontier = set(), {pk}
    while frontier:
        frontier = set(Department.objects.filter(parent__in=frontier).values_list("pk", flat=True))
        frontier -= found | {pk}
        found |= frontier
    return found


class PositionForm(OrgForm):
    kind = "position"

    class Meta:
        model = Position
        fields = ["name", "code"]


class SiteForm(OrgForm):
    kind = "site"
    time_zone = forms.ChoiceField(
        choices=[(zone, zone) for zone in sorted(available_timezones())],
        help_text="Where the site's working days begin and end (scheduled offboardings).",
    )

    class Meta:
        model = Site
        fields = ["name", "code", "time_zone", "address"]
