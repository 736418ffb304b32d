"""Forms for corrections and decisions; a reason or comment is always required."""

from django import forms

from portal.attendance.models import Punch

REASON_HELP = "Kept with the change and shown on the card."


class ReasonField(forms.CharField):
    def __init__(self, label="Reason", **kwargs):
        super().__init__(label=label, max_length=300, help_text=REASON_HELP, **kwargs)


class AddPunchForm(forms.Form):
    at = forms.DateTimeField(
        label="Time (local)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    direction = forms.ChoiceField(
        label="Direction", choices=[(Punch.Direction.IN, "In"), (Punch.Direction.OUT, "Out")]
    )
    reason = ReasonField()


class MovePunchForm(forms.Form):
    at = forms.DateTimeField(
        label="New time (local)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = ReasonField()


class VoidPunchForm(forms.Form):
    reason = ReasonField()
