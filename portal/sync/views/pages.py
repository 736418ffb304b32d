from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin, PartialListView, redirect_after_post
from portal.sync.forms import VendorAccountForm
from portal.sync.models import VendorAccount
from portal.sync.services import save_vendor_account


class VendorAccountListView(PermissionRequiredMixin, PartialListView):
    permission_required = "sync.view_vendoraccount"
    model = VendorAccount
    template_name = "sync/account_list.html"
    partial_name = "account-table"


class VendorAccountFormView(PermissionRequiredMixin, HtmxPartialMixin, TemplateResponseMixin, View):
    """Add or edit an account. Changing the kind re-renders the form with that kind's fields."""

    template_name = "sync/account_form.html"
    partial_name = "account-form"

    def get_account(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(VendorAccount, pk=pk) if pk else VendorAccount()

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = (
            "sync.change_vendoraccount" if kwargs.get("pk") else "sync.add_vendoraccount"
        )
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form):
        return self.render_to_response({"form": form, "account": form.instance})

    def get(self, request, pk=None):
        # Switching the kind re-renders the form; carry over what was typed (never secrets: GET).
        carried = {
            k: request.GET[k] for k in ("name", "base_url", "time_zone") if request.GET.get(k)
        }
        form = VendorAccountForm(
            instance=self.get_account(), kind=request.GET.get("kind"), initial=carried
        )
        return self.render_form(form)

    def post(self, request, pk=None):
        form = VendorAccountForm(request.POST, instance=self.get_account())
        if not form.is_valid():
            return self.render_form(form)
        account = save_vendor_account(form, request)
        messages.success(request, f"Saved \u201c{account.name}\u201d.")
        return redirect_after_post(request, reverse("sync:account-list"))
