"""Approve, reject and reopen a person's period; approve every row without exceptions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from portal.attendance import services
from portal.attendance.periods import span_from
from portal.attendance.selectors import period_grid, visible_person
from portal.core.permissions import PermissionRequiredMixin


def back_to_grid(span):
    return redirect(f"{reverse('attendance:grid')}?{span.query}")


class DecisionView(PermissionRequiredMixin, View):
    permission_required = "attendance.approve_timecard"

    def post(self, request, person_id):
        person = visible_person(request.user, person_id)
        span = span_from(request.POST)
        try:
            text = self.decide(request, person, span)
            messages.success(request, text)
        except services.TimecardError as exc:
            messages.error(request, f"{person.full_name}: {exc}")
        return back_to_grid(span)

    def decide(self, request, person, span) -> str:
        services.approve_period(request.user, person, span.start, span.end, request=request)
        return f"Approved {person.full_name}, {span.start:%d %b} to {span.end:%d %b}."


class RejectView(DecisionView):
    def decide(self, request, person, span) -> str:
        comment = request.POST.get("comment", "")
        services.reject_period(request.user, person, span.start, span.end, comment, request=request)
        return f"Rejected {person.full_name}'s period: back to open for corrections."


class ReopenView(DecisionView):
    permission_required = "attendance.reopen_timeperiod"

    def decide(self, request, person, span) -> str:
        reason = request.POST.get("reason", "")
        services.reopen_period(request.user, person, span.start, span.end, reason, request=request)
        return f"Reopened {person.full_name}'s period; late punches now count."


class BulkApproveView(PermissionRequiredMixin, View):
    permission_required = "attendance.approve_timecard"

    def post(self, request):
        span = span_from(request.POST)
        ready = [
            row["person"]
            for row in period_grid(request.user, span)
            if not row["blocking"] and not row["locked"]
        ]
        approved, left = services.bulk_approve(
            request.user, ready, span.start, span.end, request=request
        )
        messages.success(
            request,
            f"Approved {len(approved)} people. Rows with missing punches stay open for correction.",
        )
        return back_to_grid(span)
