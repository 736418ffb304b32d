"""Saving and deleting provisioning rules: audited. A rule applies to new hires and to people
whose site, department, position or override changes from then on; it moves nobody by itself."""

from __future__ import annotations

from django.db import transaction

from portal.core import audit
from portal.sync.models import ProvisioningRule


def rule_summary(rule: ProvisioningRule) -> dict:
    return {
        "who": rule.who,
        "systems": sorted(a.name for a in rule.accounts.all()),
        "access_groups": sorted(g.name for g in rule.access_groups.all()),
    }


def summary_text(values: dict) -> str:
    text = f"{values['who']} is in {', '.join(values['systems']) or 'no system'}"
    if values["access_groups"]:
        text += f" with {', '.join(values['access_groups'])}"
    return text


@transaction.atomic
def save_rule(form, request) -> ProvisioningRule:
    creating = form.instance.pk is None
    before = {} if creating else rule_summary(ProvisioningRule.objects.get(pk=form.instance.pk))
    rule = form.save()
    after = rule_summary(rule)
    if creating:
        audit.record(
            "provisioning_rule.created",
            request=request,
            obj=rule,
            after=after | {"summary": summary_text(after)},
        )
    else:
        old, new = audit.changed_values(before, after)
        if old or new:
            audit.record(
                "provisioning_rule.changed", request=request, obj=rule, before=old, after=new
            )
    return rule


@transaction.atomic
def delete_rule(rule: ProvisioningRule, request) -> None:
    before = rule_summary(rule)
    audit.record(
        "provisioning_rule.deleted",
        request=request,
        obj=rule,
        before=before | {"summary": summary_text(before)},
    )
    rule.delete()
