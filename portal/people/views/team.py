"""A manager's own choice of how far their team reaches (read by the timecard grid)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_htmx.http import trigger_client_event

from portal.people import services


class TeamViewToggleView(LoginRequiredMixin, View):
    """POST ``whole_tree`` (on/absent): htmx gets a ``teamViewChanged`` event, a form a redirect."""

    def post(self, request):
        whole_tree = request.POST.get("whole_tree") in ("on", "1", "true")
        services.set_team_view(request.user, whole_tree=whole_tree)
        if request.htmx:
            return trigger_client_event(
                HttpResponse(status=204), "teamViewChanged", {"whole_tree": whole_tree}
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        return redirect(target)
