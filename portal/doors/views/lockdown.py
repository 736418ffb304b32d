"""The lockdown page: start one (a site or every site), watch its doors secure, end it."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import redirect_after_post
from portal.doors.commands import CommandRefused
from portal.doors.forms import LockdownEndForm, LockdownStartForm
from portal.doors.lockdown import end_lockdown, lockable_kinds, secured_q, start_lockdown
from portal.doors.lockdown_banner import banner_context
from portal.doors.models import Lockdown

HISTORY = 20


class LockdownView(PermissionRequiredMixin, View):
    permission_required = "doors.view_lockdown"
    template_name = "doors/lockdown.html"

    def get(self, request):
        return self.render(request, LockdownStartForm(), LockdownEndForm())

    def render(self, request, start_form, end_form, status=200):
        lockdowns = Lockdown.objects.select_related("site", "started_by", "ended_by")
        active = list(lockdowns.active())
        for lockdown in active:
            doors = lockdown.doors()
            lockable = doors.filter(account__kind__in=lockable_kinds())
            lockdown.door_count = lockable.count()
            lockdown.secured_count = lockable.filter(secured_q()).count()
            lockdown.not_lockable = doors.exclude(account__kind__in=lockable_kinds()).count()
        context = {
            "active": active,
            "history": lockdowns.filter(ended_at__isnull=False)[:HISTORY],
            "start_form": start_form,
            "end_form": end_form,
        }
        return render(request, self.template_name, context, status=status)


class LockdownStartView(LockdownView):
    http_method_names = ["post"]

    def post(self, request):
        if not request.user.has_perm("doors.start_lockdown"):
            raise PermissionDenied("Starting a lockdown needs the Door control role.")
        form = LockdownStartForm(request.POST)
        if form.is_valid():
            try:
                start_lockdown(
                    request.user,
                    site=form.cleaned_data["site"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except CommandRefused as refused:
                form.add_error("reason", str(refused))
            else:
                return redirect_after_post(request, reverse("doors:lockdown"))
        return self.render(request, form, LockdownEndForm())


class LockdownEndView(LockdownView):
    http_method_names = ["post"]

    def post(self, request, pk):
        if not request.user.has_perm("doors.end_lockdown"):
            raise PermissionDenied("Ending a lockdown needs the Door control role.")
        lockdown = get_object_or_404(Lockdown, pk=pk)
        form = LockdownEndForm(request.POST)
        if form.is_valid():
            try:
                end_lockdown(
                    lockdown, request.user, reason=form.cleaned_data["reason"], request=request
                )
            except CommandRefused as refused:
                form.add_error(None, str(refused))
            else:
                return redirect_after_post(request, reverse("doors:lockdown"))
        form.lockdown_id = lockdown.pk
        return self.render(request, LockdownStartForm(), form)


class LockdownBannerView(LoginRequiredMixin, View):
    """The banner alone, polled while a lockdown is active (its count of unsecured doors)."""

    def get(self, request):
        context = {"lockdown_banner": banner_context()}
        return render(request, "includes/lockdown_banner.html", context)
