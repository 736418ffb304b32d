from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from portal.core.params import id_param
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView, redirect_after_post
from portal.sync.forms import LinkForm
from portal.sync.models import UnmatchedPerson
from portal.sync.resolve import SYSTEM_ACCOUNT_REFUSAL, resolve_unmatched
from portal.sync.suggestions import suggestions_for


class UnmatchedListView(PermissionRequiredMixin, PartialListView):
    """Vendor people nobody is linked to yet, with the likely candidates."""

    permission_required = "people.change_person"
    template_name = "sync/unmatched_list.html"
    partial_name = "unmatched-table"

    def get_queryset(self):
        entries = (
            UnmatchedPerson.objects.select_related("account")
            .prefetch_related("candidates")
            # what HR can act on first; the vendors' own system accounts last
            .order_by("system_account", "account__name", "last_name", "first_name")
        )
        if account := id_param(self.request, "account"):
            entries = entries.filter(account_id=account)
        return entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = list(context["page_obj"].object_list)
        found = suggestions_for(entries)
        for entry in entries:
            entry.suggestions = found.get(entry.pk, [])
        context["entries"] = entries
        return context


class ResolveUnmatchedView(PermissionRequiredMixin, View):
    """Link the vendor record to an existing person, or create a new person from it."""

    permission_required = "people.change_person"

    def post(self, request, pk, how):
        entry = get_object_or_404(UnmatchedPerson, pk=pk)
        if entry.system_account:
            return render(
                request,
                "sync/unmatched_list.html#resolve-form",
                {"entry": entry, "refusal": SYSTEM_ACCOUNT_REFUSAL.format(account=entry.account)},
            )
        if how == "link":
            form = LinkForm(request.POST)
            if not form.is_valid():
                return render(
                    request, "sync/unmatched_list.html#resolve-form", {"entry": entry, "form": form}
                )
            person = form.person
        else:
            if not request.user.has_perm("people.add_person"):
                return render(
                    request,
                    "403.html",
                    {"exception": "Creating people needs the HR role."},
                    status=403,
                )
            person = None
        try:
            person = resolve_unmatched(entry, person, request=request)
        except IntegrityError:
            # what HR typed stays in the box, beside the reason
            form = LinkForm(
                initial={"employee_code": request.POST.get("employee_code", entry.code)}
            )
            form.errors_text = (
                f"{person.full_name if person else 'That code'} is already linked to another record of "
                f"{entry.account.name}, or the code {entry.code} is taken. Pick another person."
            )
            return render(
                request, "sync/unmatched_list.html#resolve-form", {"entry": entry, "form": form}
            )
        messages.success(
            request, f"Linked {entry.account.name} record {entry.vendor_id} to {person.full_name}."
        )
        return redirect_after_post(request, reverse("sync:unmatched-list"))
