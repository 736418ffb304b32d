from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from portal.core.permissions import PermissionRequiredMixin
from portal.sync import services
from portal.sync.models import OutboxMessage, VendorAccount
from portal.sync.org_outbox import KINDS, org_accounts, request_send
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
            return render(
                request,
                "sync/org_systems.html#org-state",
                {"s": state, "obj": obj, "kind": message.record_kind},
            )
        messages.info(request, "Queued again; the list shows whether it got through.")
        return redirect(reverse(f"people:{message.record_kind}-list"))


class SendOrgRecordView(PermissionRequiredMixin, View):
    """HR sends a department, position or site to a system that does not hold it yet."""

    def post(self, request, kind, pk, account_pk):
        if kind not in KINDS:
            raise Http404("No such kind of record.")
        if not request.user.has_perm(f"people.change_{kind}"):
            raise PermissionDenied(
                f"Sending this needs the permission to change {kind}s. "
                "Ask an administrator to give you a role that includes it."
            )
        obj = get_object_or_404(KINDS[kind][0], pk=pk)
        account = get_object_or_404(VendorAccount, pk=account_pk)
        if account not in org_accounts(kind):
            raise Http404(f"{account.name} does not keep {kind}s from Workgate.")
        message = request_send(obj, kind, account, request)
        if request.htmx:
            state = SystemState(account, "pending", "", message)
            return render(
                request, "sync/org_systems.html#org-state", {"s": state, "obj": obj, "kind": kind}
            )
        messages.info(request, f"Sending {obj.name} to {account.name}.")
        return redirect(reverse(f"people:{kind}-list"))
