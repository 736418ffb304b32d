from zoneinfo import available_timezones

from cryptography import x509
from django import forms
from django.core.validators import URLValidator

from connectors.registry import connector_class, kinds, vendor
from connectors.vendor import SettingField
from portal.people.models import Person
from portal.sync.models import VendorAccount, vendor_kind_choices
from portal.sync.webhooks import new_webhook_token

#: options the system sets, not the form: kept across edits
KEPT_OPTIONS = ("webhook_token", "page_size")
SECRET_KEPT_HELP = "A value is saved and is never shown again. Leave blank to keep it."


def option_field(option: SettingField) -> forms.Field:
    """The form field for one of a vendor's settings: a choice, a bounded number or text."""
    common = {"label": option.label, "help_text": option.help_text, "required": option.required}
    if option.choices:
        return forms.ChoiceField(choices=option.choices, **common)
    if option.is_number:
        return forms.IntegerField(min_value=option.minimum, max_value=option.maximum, **common)
    return forms.CharField(max_length=200, **common)


class VendorAccountForm(forms.ModelForm):
    """Account settings plus the chosen kind's credentials. Secrets are write-only."""

    base_url = forms.URLField(
        label="Server address",
        max_length=300,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The address you open the vendor's console or API at, with the port if it has one.",
    )

    class Meta:
        model = VendorAccount
        fields = [
            "kind",
            "name",
            "base_url",
            "time_zone",
            "verify_tls",
            "ca_certificate",
            "enabled",
            "pull_enabled",
            "push_enabled",
            "receives_punches",
            "import_new_people",
        ]
        widgets = {"ca_certificate": forms.Textarea(attrs={"rows": 3})}
        labels = {"kind": "System", "name": "Account name"}
        help_texts = {"name": "How this account is called in Workgate, e.g. “Hamburg BioTime”."}

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        first = kinds()[0]
        self.kind = self.instance.kind if editing else (self.data.get("kind") or kind or first)
        if self.kind not in kinds():
            self.kind = first
        self.fields["kind"].choices = vendor_kind_choices()
        self.initial["kind"] = self.kind  # the instance's blank kind would win over field.initial
        if editing:
            self.fields["kind"].disabled = True
            self.fields[
                "kind"
            ].help_text = "The kind of an account cannot change; add a new account instead."
        entry = vendor(self.kind)
        if "punches" not in connector_class(self.kind).capabilities.writes:
            del self.fields["receives_punches"]  # offered only where the API takes punches
        self.fields["base_url"].widget.attrs["placeholder"] = entry.base_url_example
        for option in entry.options:
            field = option_field(option)
            field.initial = self.instance.options.get(option.name, option.default or None)
            self.fields[f"option_{option.name}"] = field
        for secret in entry.secrets:
            saved = editing and bool(self.instance.credentials.get(secret.name))
            self.fields[f"secret_{secret.name}"] = forms.CharField(
                label=secret.label,
                required=secret.required and not saved,
                strip=False,
                max_length=500,
                widget=forms.PasswordInput(
                    render_value=False, attrs={"autocomplete": "new-password"}
                ),
                help_text=SECRET_KEPT_HELP if saved else secret.help_text,
            )

    @property
    def option_fields(self):
        return [self[name] for name in self.fields if name.startswith("option_")]

    @property
    def credential_option_fields(self):
        """Options shown with the credentials (login names, company ids)."""
        return self._options_in("credentials")

    @property
    def sync_option_fields(self):
        """Options shown with the connection and sync settings (sweep windows)."""
        return self._options_in("sync")

    def _options_in(self, section: str):
        return [
            self[f"option_{option.name}"]
            for option in vendor(self.kind).options
            if option.section == section
        ]

    @property
    def secret_fields(self):
        return [self[name] for name in self.fields if name.startswith("secret_")]

    def clean_time_zone(self):
        zone = self.cleaned_data["time_zone"]
        if zone not in available_timezones():
            raise forms.ValidationError("Unknown time zone. Use a name like Europe/Berlin.")
        return zone

    def clean_ca_certificate(self):
        pem = self.cleaned_data["ca_certificate"].strip()
        if pem:
            try:
                x509.load_pem_x509_certificates(pem.encode())
            except ValueError:
                raise forms.ValidationError(
                    "This is not a PEM certificate. Paste the text from -----BEGIN CERTIFICATE----- "
                    "to -----END CERTIFICATE-----."
                ) from None
        return pem

    def option_value(self, option: SettingField):
        """What was typed; None for an optional number left blank (the connector's default)."""
        value = self.cleaned_data[f"option_{option.name}"]
        if option.is_number:
            return None if value in (None, "") else int(value)
        return value

    def replaced_secrets(self) -> list[str]:
        return [
            name[len("secret_") :]
            for name in self.fields
            if name.startswith("secret_") and self.cleaned_data.get(name)
        ]

    def save(self, commit=True):
        account = super().save(commit=False)
        account.kind = self.kind
        entry = vendor(self.kind)
        kept = {k: v for k, v in account.options.items() if k in KEPT_OPTIONS}
        typed = {o.name: self.option_value(o) for o in entry.options}
        account.options = kept | {name: value for name, value in typed.items() if value is not None}
        if entry.webhook is not None and "webhook_token" not in account.options:
            account.options["webhook_token"] = new_webhook_token()
        credentials = dict(account.credentials)
        for name in self.replaced_secrets():
            credentials[name] = self.cleaned_data[f"secret_{name}"]
        account.credentials = credentials
        if commit:
            account.save()
        return account


class LinkForm(forms.Form):
    """Link an unmatched vendor record to the person in Workgate with this employee code."""

    employee_code = forms.CharField(label="Employee code of the person in Workgate", max_length=32)

    def clean_employee_code(self):
        code = self.cleaned_data["employee_code"].strip()
        try:
            self.person = Person.objects.get(employee_code=code)
        except Person.DoesNotExist:
            raise forms.ValidationError(
                f"Nobody in Workgate has the code {code}. Check it, or create a new person."
            ) from None
        return code
