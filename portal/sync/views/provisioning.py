"""Provisioning: the rules page (who is in which system) and the person page's systems form."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin, PartialListView, redirect_after_post
from portal.people.models import Person
from portal.sync import dispatch, overrides
from portal.sync.models import AccessGroup, ProvisioningRule
from portal.sync.provisioning import people_writable_accounts
from portal.sync.provisioning_forms import ProvisioningRuleForm, provisioning_form
from portal.sync.rules import delete_rule, save_rule


class ProvisioningRuleListView(PermissionRequiredMixin, PartialListView):
    permission_required = "sync.view_provisioningrule"
    template_name = "sync/rule_list.html"
    partial_name = "rule-table"

    def get_queryset(self):
        return ProvisioningRule.objects.select_related(
            "site", "department", "position"
        ).prefetch_related("accounts", "access_groups")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        writable = people_writable_accounts()
        context["writable"] = writable
        mirrored = set(
            AccessGroup.objects.filter(account__in=writable).values_list("account_id", flat=True)
        )
        # systems with access groups that Workgate has not read yet
        context["unread_groups"] = [
            a for a in writable if a.kind == "biostar" and a.pk not in mirrored
        ]
        return context


class ProvisioningRuleFormView(
    PermissionRequiredMixin, HtmxPartialMixin, TemplateResponseMixin, View
):
    template_name = "sync/rule_form.html"
    partial_name = "rule-form"

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = (
            "sync.change_provisioningrule" if kwargs.get("pk") else "sync.add_provisioningrule"
        )
        return super().dispatch(request, *args, **kwargs)

    def get_rule(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(ProvisioningRule, pk=pk) if pk else ProvisioningRule()

    def render_form(self, form):
        return self.render_to_response({"form": form, "rule": form.instance})

    def get(self, request, pk=None):
        return self.render_form(ProvisioningRuleForm(instance=self.get_rule()))

    def post(self, request, pk=None):
        form = ProvisioningRuleForm(request.POST, instance=self.get_rule())
        if not form.is_valid():
            return self.render_form(form)
        rule = save_rule(form, request)
        messages.success(request, f"Saved the rule \u201c{rule.name}\u201d.")
        return redirect_after_post(request, reverse("sync:rule-list"))


class ProvisioningRuleDeleteView(PermissionRequiredMixin, View):
    permission_required = "sync.delete_provisioningrule"

    def post(self, request, pk):
        rule = get_object_or_404(ProvisioningRule, pk=pk)
        delete_rule(rule, request)
        messages.success(request, f"Deleted the rule \u201c{rule.name}\u201d.")
        return redirect_after_post(request, reverse("sync:rule-list"))


class ReadAccessGroupsView(PermissionRequiredMixin, View):
    """Ask a worker to read the access groups of every system that has them, now."""

    permission_required = "sync.add_provisioningrule"

    def post(self, request):
        for account in people_writable_accounts():
            if account.kind == "biostar":
                dispatch.pull_access_groups(account.pk)
        messages.info(request, "Reading the access groups; reload this page in a moment.")
        return redirect(reverse("sync:rule-list"))


class PersonProvisioningView(PermissionRequiredMixin, TemplateResponseMixin, View):
    """The person page's "Systems and access groups" form: overrides and access groups."""

    permission_required = "people.change_person"
    template_name = "sync/person_provisioning_form.html"

    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        form = provisioning_form(person, request.POST)
        if not form.is_valid():
            return self.render_to_response({"form": form, "person": person})
        with transaction.atomic():
            moved = overrides.set_overrides(person, form.modes(), request=request)
            accounts = {d.account.pk: d.account for d in form.decisions}
            changed = [
                overrides.set_access_groups(person, accounts[pk], groups, request=request)
                for pk, groups in form.chosen_groups().items()
            ]
        if moved or any(changed):
            messages.success(request, f"Saved; the systems of {person.full_name} follow now.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect_after_post(request, reverse("people:person-detail", args=[person.pk]))
