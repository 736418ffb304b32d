"""An offboarding's pages: the live per-system progress, the report (HTML and CSV), retry."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from portal.core import audit
from portal.core.permissions import PermissionRequiredMixin
from portal.people.models import Offboarding
from portal.sync import offboarding as service
from portal.sync.models import OffboardingStep

#: htmx stops polling on this status (and still swaps the answer in)
STOP_POLLING = 286


class OffboardingStepsView(PermissionRequiredMixin, View):
    """The polled fragment: each system's step; tells htmx to stop once nothing waits."""

    permission_required = "people.view_person"

    def get(self, request, pk):
        offboarding = get_object_or_404(Offboarding.objects.select_related("person"), pk=pk)
        progress = service.progress_of(offboarding)
        response = render(
            request,
            "sync/offboarding_steps.html",
            {"offboarding": offboarding, "progress": progress},
        )
        if not progress.waiting:
            response.status_code = STOP_POLLING
        return response


class OffboardingReportView(PermissionRequiredMixin, DetailView):
    """Every system, what was done, when, by whom and the read-back proof; printable."""

    permission_required = "people.view_offboarding"
    model = Offboarding
    template_name = "sync/offboarding_report.html"
    context_object_name = "offboarding"

    def get_queryset(self):
        return Offboarding.objects.select_related("person", "requested_by", "cancelled_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["progress"] = service.progress_of(self.object)
        return context


class OffboardingReportCsvView(PermissionRequiredMixin, View):
    permission_required = "people.view_offboarding"

    def get(self, request, pk):
        offboarding = get_object_or_404(
            Offboarding.objects.select_related("person", "requested_by"), pk=pk
        )
        audit.record("offboarding.exported", request=request, obj=offboarding.person)
        response = HttpResponse(
            service.report_csv(offboarding), content_type="text/csv; charset=utf-8"
        )
        name = f"offboarding-{offboarding.person.employee_code}-{offboarding.last_day}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class RetryStepView(PermissionRequiredMixin, View):
    permission_required = "people.terminate_person"

    def post(self, request, pk):
        step = get_object_or_404(
            OffboardingStep.objects.select_related("offboarding__person", "account"),
            pk=pk,
            status=OffboardingStep.Status.FAILED,
        )
        service.retry_step(step, request)
        messages.info(request, f"Sending the termination to {step.account.name} again.")
        return redirect(reverse("people:person-detail", args=[step.offboarding.person_id]))
