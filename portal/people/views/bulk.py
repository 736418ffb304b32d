"""Bulk changes from the directory: choose → confirm → per-person result."""

from __future__ import annotations

from django.shortcuts import render
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.people.bulk import ACTIONS, BulkChangeForm, apply_bulk_change


class PersonBulkChangeView(PermissionRequiredMixin, View):
    """The first POST (from the list's selection) asks for confirmation and names everyone it
    will change; the confirmed POST applies the change person by person and shows each result."""

    permission_required = "people.change_person"
    template_name = "people/bulk_change.html"

    def post(self, request):
        form = BulkChangeForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "actions": ACTIONS}, status=400
            )
        if not form.cleaned_data["confirmed"]:
            return render(request, self.template_name, {"form": form, "confirm": True})
        results = apply_bulk_change(form, request)
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "results": results,
                "changed": sum(r.outcome == "changed" for r in results),
                "refused": sum(r.outcome == "refused" for r in results),
            },
        )
