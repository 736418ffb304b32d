from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.sync import services
from portal.sync.models import OutboxMessage
from portal.sync.org_outbox import KINDS
from portal.sync.org_states import SystemState


class RetryOrgMessageView(PermissionRequiredMixin, View):
    """HR retries a department, position or site that a system refused (audited by the
    service); the same permission as editing that kind of record."""

    def post(self, request, pk):
        message = get_object_or_404(
            OutboxMessage.objects.select_related("account"),
            pk=pk,
            record_kind__in=list(KINDS),
            status=OutboxMessage.Status.FAILED,
        )
        if not request.user.has_perm(f"people.change_{message.record_kind}"):
            raise PermissionDenied(
                f"Retrying this needs the permission to change {message.record_kind}s. "
                "Ask an administrator to give you a role that includes it."
            )
        services.retry_message(message, request)
        if request.htmx:
            message.refresh_from_db()
            state = SystemState(message.account, "pending", "", message)
            obj = KINDS[message.record_kind][0].objects.filter(pk=message.object_id).first()
            return render(request, "sync/org_systems.html#org-state", {"s": state, "obj": obj})
        messages.info(request, "Queued again; the list shows whether it got through.")
        return redirect(reverse(f"people:{message.record_kind}-list"))
