"""Departments, positions and sites: list (people count, each system's copy), add, edit.

Deleting is left out on purpose: BioTime refuses to delete a department or area that still has
employees or children, and BioStar moves a deleted group's users to "All Users" and deletes its
sub-groups with it; a record no person uses is harmless to keep, and renaming covers mistakes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import ListView
from django.views.generic.base import TemplateResponseMixin

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin, redirect_after_post
from portal.people.models import Department, Position, Site
from portal.people.org_forms import DepartmentForm, PositionForm, SiteForm
from portal.people.org_services import save_org


@dataclass(frozen=True)
class OrgKind:
    kind: str
    model: type
    form: type
    plural: str
    intro: str

    @property
    def label(self) -> str:
        return self.kind.capitalize()

    @property
    def change_permission(self) -> str:
        return f"people.change_{self.kind}"

    @property
    def add_permission(self) -> str:
        return f"people.add_{self.kind}"


KINDS = {
    "department": OrgKind(
        "department",
        Department,
        DepartmentForm,
        "Departments",
        "Sent to BioTime as departments and to BioStar as user groups, in the same tree.",
    ),
    "position": OrgKind(
        "position", Position, PositionForm, "Positions", "Sent to BioTime as positions."
    ),
    "site": OrgKind("site", Site, SiteForm, "Sites", "Sent to BioTime as areas."),
}


class OrgKindMixin(PermissionRequiredMixin):
    org: OrgKind | None = None

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = self.required_permission()
        return super().dispatch(request, *args, **kwargs)

    def required_permission(self) -> str:
        return self.org.change_permission

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["org"] = self.org
        context["org_kinds"] = KINDS.values()
        return context


class OrgListView(OrgKindMixin, ListView):
    template_name = "people/org_list.html"
    context_object_name = "rows"

    def get_queryset(self):
        rows = self.org.model.objects.annotate(people_count=Count("people", distinct=True))
        if self.org.model is Department:
            rows = rows.select_related("parent")
        return rows.order_by("name")


class OrgFormView(OrgKindMixin, HtmxPartialMixin, TemplateResponseMixin, View):
    """GET shows the form; an invalid POST re-renders it with errors beside the fields; a valid
    one saves through the service and goes back to the list."""

    template_name = "people/org_form.html"
    partial_name = "org-form"

    def required_permission(self) -> str:
        return self.org.change_permission if self.kwargs.get("pk") else self.org.add_permission

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(self.org.model, pk=pk) if pk else self.org.model()

    def get_context_data(self, **kwargs):
        return {"org": self.org, "org_kinds": KINDS.values()} | kwargs

    def get(self, request, pk=None):
        obj = self.get_object()
        form = self.org.form(instance=obj)
        return self.render_to_response(self.get_context_data(form=form, obj=obj))

    def post(self, request, pk=None):
        obj = self.get_object()
        form = self.org.form(request.POST, instance=obj)
        if form.is_valid():
            creating = obj.pk is None
            try:
                obj = save_org(form.save(commit=False), request=request)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                verb = "Added" if creating else "Saved"
                messages.success(
                    request,
                    f"{verb} the {self.org.kind} {obj.name}. Connected systems are being updated.",
                )
                url = reverse(f"people:{self.org.kind}-list")
                return redirect_after_post(request, url)
        return self.render_to_response(self.get_context_data(form=form, obj=obj))
