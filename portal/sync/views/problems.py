from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from portal.core.permissions import PermissionRequiredMixin
from portal.sync import services
from portal.sync.problems import SECTIONS, SHOWN, failed_person_messages, person_names


class ProblemListView(PermissionRequiredMixin, TemplateView):
    """Everything about people that needs HR, each kind linking to where it is fixed."""

    permission_required = "people.change_person"
    template_name = "sync/problems.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sections = []
        for section in SECTIONS:
            rows = list(section.rows()[:SHOWN])
            count = len(rows) if len(rows) < SHOWN else section.count()
            if section.key == "failed":
                people = person_names(rows)
                for message in rows:
                    message.person = people.get(message.object_id)
            sections.append({"section": section, "rows": rows, "count": count})
        context["sections"] = sections
        context["total"] = sum(s["count"] for s in sections)
        context["shown"] = SHOWN
        return context


class RetryPersonMessageView(PermissionRequiredMixin, View):
    """HR retries a change of a person that could not be sent (the admins' retry is on Sync
    health); audited by the service."""

    permission_required = "people.change_person"

    def post(self, request, pk):
        message = get_object_or_404(failed_person_messages(), pk=pk)
        services.retry_message(message, request)
        if request.htmx:
            message.refresh_from_db()
            return render(request, "sync/problems/failed.html#retry", {"m": message})
        messages.info(request, "Queued again; the page shows it here again if it fails.")
        return redirect(reverse("sync:problems") + "#failed")
