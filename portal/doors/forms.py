"""Forms of the door command panel and the lockdown page."""

from django import forms

from portal.doors.commands import UNLOCK_MINUTES, Offer
from portal.people.models import Site


def minutes_label(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes > 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours > 1 else ''}"


class DoorCommandForm(forms.Form):
    """One command: what, for how long (an unlock), why. ``confirmed`` is the second step."""

    action = forms.ChoiceField(label="Command", widget=forms.RadioSelect)
    minutes = forms.TypedChoiceField(
        label="How long",
        coerce=int,
        required=False,
        choices=[("", "—")] + [(m, minutes_label(m)) for m in UNLOCK_MINUTES],
        help_text="Only for “Unlock for a while”: Workgate releases the door when the time is up.",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the audit log with your name.",
        error_messages={"required": "Say why: every door command is kept with its reason."},
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, offer: Offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = offer.choices

    def clean(self):
        data = super().clean()
        if data.get("action") == "unlock" and not data.get("minutes"):
            self.add_error("minutes", "Choose how long the door stays unlocked.")
        if data.get("action") != "unlock":
            data["minutes"] = None
        return data


class LockdownStartForm(forms.Form):
    site = forms.ModelChoiceField(
        Site.objects.all(),
        required=False,
        empty_label="Every site",
        label="Where",
        help_text="Every door of this site is locked and held locked until the lockdown ends.",
    )
    reason = forms.CharField(
        label="Reason", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(
        label="I confirm: lock these doors now; nobody gets through them until it ends.",
        error_messages={"required": "Tick the box to confirm the lockdown."},
    )


class LockdownEndForm(forms.Form):
    reason = forms.CharField(label="Why it ends", max_length=300, required=False)
    confirm = forms.BooleanField(
        label="I confirm: release these doors to their schedule.",
        error_messages={"required": "Tick the box to confirm."},
    )
