"""Forms for provisioning: the rules page, and the systems panel of the person page."""

from __future__ import annotations

from django import forms

from portal.people.models import Person
from portal.sync.models import AccessGroup, ProvisioningRule, VendorAccount
from portal.sync.provisioning import (
    Decision,
    eligible_accounts,
    has_access_groups,
    people_writable_accounts,
)

MODE_CHOICES = [("", "Follow the rules"), ("always", "Always"), ("never", "Never")]


def group_label(group: AccessGroup) -> str:
    return f"{group.name} ({group.account.name})"


class AccessGroupChoices(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return group_label(obj)


class ProvisioningRuleForm(forms.ModelForm):
    accounts = forms.ModelMultipleChoiceField(
        queryset=VendorAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Systems",
        help_text="People this rule matches are created in these systems.",
        error_messages={"required": "Choose at least one system the rule puts people in."},
    )
    access_groups = AccessGroupChoices(
        queryset=AccessGroup.objects.none(),
        required=False,
        label="Access groups to grant",
        help_text="BioStar access groups the matched people get (in a system chosen above).",
    )

    class Meta:
        model = ProvisioningRule
        fields = ["name", "site", "department", "position", "accounts", "access_groups"]
        help_texts = {
            "name": "What HR calls it, e.g. \u201cBremen Warehouse staff\u201d.",
            "site": "Empty: any site.",
            "department": "Empty: any department.",
            "position": "Empty: any position.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        writable = [a.pk for a in people_writable_accounts()]
        self.fields["accounts"].queryset = VendorAccount.objects.filter(pk__in=writable)
        self.fields["access_groups"].queryset = AccessGroup.objects.filter(
            account_id__in=writable, gone_at__isnull=True
        ).select_related("account")
        for name in ("site", "department", "position"):
            self.fields[name].empty_label = "Any"

    def clean(self):
        cleaned = super().clean()
        accounts = {a.pk for a in cleaned.get("accounts") or []}
        stray = [g for g in cleaned.get("access_groups") or [] if g.account_id not in accounts]
        if stray and accounts:
            names = ", ".join(sorted({g.account.name for g in stray}))
            self.add_error(
                "access_groups",
                f"These groups belong to {names}, which this rule does not put people in. "
                "Tick that system above, or untick the groups.",
            )
        return cleaned


class PersonProvisioningForm(forms.Form):
    """Per system: follow the rules / always / never; per BioStar system: the person's own
    access groups (the rules' groups are granted anyway)."""

    def __init__(self, *args, decisions: list[Decision], groups: list[AccessGroup], **kwargs):
        super().__init__(*args, **kwargs)
        self.decisions = decisions
        self.groups_by_pk = {group.pk: group for group in groups}
        by_account: dict[int, list[AccessGroup]] = {}
        for group in groups:
            by_account.setdefault(group.account_id, []).append(group)
        self.rows = []
        for decision in decisions:
            account = decision.account
            mode = forms.ChoiceField(
                choices=MODE_CHOICES,
                required=False,
                label=f"In {account.name}",
                initial=decision.override,
                help_text=f"The rules say {'yes' if decision.should_by_rules else 'no'}.",
            )
            self.fields[f"mode_{account.pk}"] = mode
            choices = by_account.get(account.pk, [])
            if choices:
                chosen = set(decision.chosen or ())
                # plain choices from the groups given: rendering asks the database nothing
                self.fields[f"groups_{account.pk}"] = forms.TypedMultipleChoiceField(
                    choices=[(g.pk, g.name) for g in choices],
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    label=f"Access groups in {account.name}",
                    help_text="Besides the rules' groups"
                    + (f" ({', '.join(decision.group_names)})" if decision.group_names else "")
                    + ".",
                    initial=[g.pk for g in choices if g.vendor_id in chosen],
                )
            self.rows.append(
                (self[f"mode_{account.pk}"], self[f"groups_{account.pk}"] if choices else None)
            )

    def clean(self):
        cleaned = super().clean()
        for decision in self.decisions:
            pk = decision.account.pk
            groups = cleaned.get(f"groups_{pk}")
            if groups and cleaned.get(f"mode_{pk}") == "never":
                self.add_error(
                    f"groups_{pk}",
                    f"Access groups apply only where the person is. Choose \u201cAlways\u201d or "
                    f"\u201cFollow the rules\u201d for {decision.account.name}, or untick them.",
                )
        return cleaned

    def modes(self) -> dict[int, str]:
        return {d.account.pk: self.cleaned_data[f"mode_{d.account.pk}"] for d in self.decisions}

    def chosen_groups(self) -> dict[int, list[AccessGroup]]:
        """Per account, the groups ticked, where the person had or now has a choice there."""
        found = {}
        for d in self.decisions:
            name = f"groups_{d.account.pk}"
            if name in self.fields and name in self.changed_data:
                found[d.account.pk] = [self.groups_by_pk[pk] for pk in self.cleaned_data[name]]
        return found


def provisioning_form(
    person: Person, data=None, decisions: list[Decision] | None = None, groups=None
) -> PersonProvisioningForm:
    """The person page's form; ``decisions`` and ``groups`` (each account's access groups): those
    the page already read (no queries again)."""
    if decisions is None:
        decisions = list(eligible_accounts(person).values())
    if groups is None:
        with_groups = [d.account.pk for d in decisions if has_access_groups(d.account)]
        found = AccessGroup.objects.filter(account_id__in=with_groups, gone_at__isnull=True)
        groups = list(found.select_related("account")) if with_groups else []
    return PersonProvisioningForm(data, decisions=decisions, groups=groups)
