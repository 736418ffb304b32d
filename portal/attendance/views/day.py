"""One person's work day: its punches and figures (an htmx panel), and corrections to it."""

from datetime import datetime, time

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from portal.attendance import services
from portal.attendance.forms import AddPunchForm, MovePunchForm, VoidPunchForm
from portal.attendance.models import Punch, TimeCard
from portal.attendance.periods import parse_date, span_from
from portal.attendance.selectors import day_punches, period_grid, visible_person
from portal.attendance.views.grid import grid_permissions
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import wants_partial

TEMPLATE = "attendance/day_panel.html"


def _day(text):
    day = parse_date(text)
    if day is None:
        raise Http404("No such day.")
    return day


def panel(request, person, day, *, status="", error="", forms=None, punch_id=None):
    punches, zone = day_punches(person, day)
    locked = services.locked_period(person, day)
    span = span_from(request.GET or request.POST)
    context = {
        "person": person,
        "day": day,
        "card": TimeCard.objects.filter(person=person, work_date=day).first(),
        "punches": punches,
        "zone": zone,
        "locked": locked,
        "can_correct": request.user.has_perm(services.CORRECT) and locked is None,
        "status": status,
        "error": error,
        "error_punch": punch_id,
        "span": span,
        "add_form": (forms or {}).get("add")
        or AddPunchForm(initial={"at": datetime.combine(day, time(8)), "direction": "in"}),
        "move_form": (forms or {}).get("move") or MovePunchForm(),
        "void_form": (forms or {}).get("void") or VoidPunchForm(),
    }
    if request.method == "POST":  # the grid row is swapped too, as the grid would draw it
        context["rows"] = period_grid(request.user, span, person_ids=[person.pk])
        context.update(grid_permissions(request.user))
    name = f"{TEMPLATE}#day-panel" if wants_partial(request) else TEMPLATE
    return TemplateResponse(request, name, context)


class DayPanelView(PermissionRequiredMixin, View):
    permission_required = "attendance.view_timecard"

    def get(self, request, person_id, day):
        return panel(request, visible_person(request.user, person_id), _day(day))


class CorrectionView(PermissionRequiredMixin, View):
    """POST a correction; the answer is the panel again, with the grid row swapped out of band."""

    permission_required = "attendance.change_timecard"
    form_class = AddPunchForm
    form_key = "add"

    def post(self, request, person_id, day, punch_id=None):
        person, day = visible_person(request.user, person_id), _day(day)
        punch = None
        if punch_id is not None:
            punch = get_object_or_404(Punch, pk=punch_id, person=person)
        _, zone = day_punches(person, day)
        form = self.form_class(request.POST)
        with timezone.override(zone):
            valid = form.is_valid()
        if not valid:
            return panel(request, person, day, forms={self.form_key: form}, punch_id=punch_id)
        try:
            status = self.apply(request, person, punch, form.cleaned_data)
        except services.TimecardError as exc:
            return panel(request, person, day, error=str(exc), punch_id=punch_id)
        if not wants_partial(request):
            messages.success(request, status)
        return panel(request, person, day, status=status)

    def apply(self, request, person, punch, data) -> str:
        services.add_punch(
            request.user, person, data["at"], data["direction"], data["reason"], request=request
        )
        return f"Added an {data['direction']} punch at {data['at']:%H:%M}."


class MovePunchView(CorrectionView):
    form_class = MovePunchForm
    form_key = "move"

    def apply(self, request, person, punch, data) -> str:
        services.move_punch(request.user, punch, data["at"], data["reason"], request=request)
        return f"Moved the punch to {data['at']:%H:%M}; the original is kept."


class VoidPunchView(CorrectionView):
    form_class = VoidPunchForm
    form_key = "void"

    def apply(self, request, person, punch, data) -> str:
        services.void_punch(request.user, punch, data["reason"], request=request)
        return "Voided the punch; it is kept and no longer counts."
