from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.views.generic import TemplateView

from portal.attendance.models import TimeCard
from portal.attendance.selectors import visible_timecards
from portal.core.heartbeat import worker_status
from portal.doors.models import Door
from portal.people.models import Person
from portal.sync import problems
from portal.sync.models import OutboxMessage, VendorAccount


class DashboardView(LoginRequiredMixin, TemplateView):
    """One page, a panel per thing the user's role covers."""

    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.has_perm("people.view_person"):
            context["people"] = Person.objects.aggregate(
                active=Count("id", filter=Q(status=Person.Status.ACTIVE)),
                terminated=Count("id", filter=Q(status=Person.Status.TERMINATED)),
            )
        if user.has_perm("people.change_person"):
            # each kind of problem HR must settle, linked to its place on the problems page
            titles = {section.key: section.title for section in problems.SECTIONS}
            context["problems"] = [
                {"key": key, "title": titles[key], "count": count}
                for key, count in problems.counts().items()
                if count
            ]
        elif "people" in context:  # read-only people users see that something failed
            context["people"]["failed_pushes"] = OutboxMessage.objects.filter(
                status=OutboxMessage.Status.FAILED
            ).count()
        if user.has_perm("doors.view_door"):
            doors = Door.objects.filter(gone_at__isnull=True)
            context["doors"] = {
                "total": doors.count(),
                "alarms": doors.filter(state__in=[Door.State.FORCED, Door.State.HELD_OPEN]).count(),
                "offline": doors.filter(state=Door.State.OFFLINE).count(),
            }
        if user.has_perm("attendance.view_timecard"):
            awaiting = visible_timecards(user).filter(status=TimeCard.Status.OPEN)
            context["timecards"] = {"awaiting": awaiting.count()}
        if user.has_perm("sync.view_vendoraccount"):
            context["accounts"] = VendorAccount.objects.aggregate(
                total=Count("id"),
                enabled=Count("id", filter=Q(enabled=True)),
                paused=Count("id", filter=Q(paused_at__isnull=False)),
            )
            if context["accounts"]["paused"]:  # refused credentials: say which and why
                context["paused_accounts"] = VendorAccount.objects.filter(paused_at__isnull=False)
            context["worker"] = worker_status()
        return context
