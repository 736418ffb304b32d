from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin
from portal.sync import services
from portal.sync.health import account_health
from portal.sync.models import OutboxMessage, VendorAccount


class SyncHealthView(PermissionRequiredMixin, HtmxPartialMixin, TemplateView):
    """Per account: is it in step, what is running, what failed and why, with buttons to act."""

    permission_required = "sync.view_syncrun"
    template_name = "sync/health.html"
    partial_name = "health"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accounts"] = account_health()
        context["busy"] = any(
            a.running or a.account.check_pending or a.pending_messages for a in context["accounts"]
        )
        return context


class AccountActionView(PermissionRequiredMixin, View):
    """POST-only buttons on the health page; each is audited by the service it calls."""

    permission_required = "sync.change_vendoraccount"

    def post(self, request, pk, action):
        if action not in ("check", "sync"):
            raise Http404(f"There is no account action {action!r}.")
        account = get_object_or_404(VendorAccount, pk=pk)
        if action == "check":
            services.request_check(account, request)
            messages.info(request, f"Testing the connection to {account.name}…")
        else:
            services.request_sync(account, request)
            messages.info(request, f"Sync of {account.name} queued; the page updates as it runs.")
        return redirect(reverse("sync:health"))


class RetryMessageView(PermissionRequiredMixin, View):
    permission_required = "sync.change_outboxmessage"

    def post(self, request, pk):
        message = get_object_or_404(OutboxMessage, pk=pk, status=OutboxMessage.Status.FAILED)
        services.retry_message(message, request)
        if request.htmx:
            message.refresh_from_db()
            return render(request, "sync/health.html#retried", {"m": message})
        messages.info(request, "Queued again.")
        return redirect(reverse("sync:health"))
