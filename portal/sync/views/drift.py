"""Buttons on the person page for drift ("keep ours", "take theirs") and for a person still
active in a vendor after termination ("disable again")."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.sync import drift as service
from portal.sync.access_problems import disable_again
from portal.sync.models import AccessProblem, PersonDrift


class ResolveDriftView(PermissionRequiredMixin, View):
    permission_required = "people.change_person"

    def post(self, request, pk, how):
        if how not in ("keep", "take"):
            raise Http404(f"There is no way {how!r} to settle drift.")
        drift = get_object_or_404(PersonDrift.objects.select_related("person", "account"), pk=pk)
        label = drift.field.replace("_", " ")
        try:
            if how == "keep":
                service.keep_ours(drift, request)
                messages.success(
                    request,
                    f"Kept Workgate's {label}; sending it to {drift.account.name} again.",
                )
            else:
                service.take_theirs(drift, request)
                messages.success(
                    request,
                    f"Took {label} \u201c{drift.vendor_value}\u201d from {drift.account.name}; "
                    "the other systems are being updated.",
                )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        return redirect(reverse("people:person-detail", args=[drift.person_id]))


class DisableAgainView(PermissionRequiredMixin, View):
    permission_required = "people.terminate_person"

    def post(self, request, pk):
        problem = get_object_or_404(
            AccessProblem.objects.select_related("person", "account"),
            pk=pk,
            resolved_at__isnull=True,
        )
        disable_again(problem, request)
        messages.info(
            request,
            f"Sending the termination of {problem.person.full_name} to {problem.account.name} "
            "again; it is resolved once read back as gone.",
        )
        back = request.POST.get("next") or reverse("people:person-detail", args=[problem.person_id])
        if not back.startswith("/") or back.startswith("//"):
            back = reverse("people:person-detail", args=[problem.person_id])
        return redirect(back)
