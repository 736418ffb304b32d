"""The user's API tokens: create (shown once), see when each was last used, revoke."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View
from django_htmx.http import retarget

from portal.api import tokens
from portal.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What it is for, so you know which one to revoke later."
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank for a token that lasts until you revoke it.",
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a day after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.max))


class TokenListView(LoginRequiredMixin, View):
    template_name = "api/token_list.html"

    def context(self, request, **extra):
        return {"tokens": ApiToken.objects.filter(user=request.user), **extra}

    def get(self, request):
        return render(request, self.template_name, self.context(request, form=TokenForm()))

    def post(self, request):
        form = TokenForm(request.POST)
        if not form.is_valid():
            if request.htmx:
                response = render(request, f"{self.template_name}#token-form", {"form": form})
                return retarget(response, "#token-form")
            return render(request, self.template_name, self.context(request, form=form))
        token, text = tokens.create_token(
            request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            request=request,
        )
        context = self.context(request, form=TokenForm(), created=token, created_text=text)
        if request.htmx:
            return render(request, f"{self.template_name}#token-panel", context)
        return render(request, self.template_name, context)


class RevokeTokenView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # only one's own
        tokens.revoke_token(token, request=request)
        context = {
            "tokens": ApiToken.objects.filter(user=request.user),
            "revoked": token,
            "form": TokenForm(),
        }
        template = "api/token_list.html"
        return render(request, f"{template}#token-panel" if request.htmx else template, context)
