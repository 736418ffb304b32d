"""/account/: a signed-in user's own settings (API tokens)."""

from django.urls import path

from portal.api.views import tokens

app_name = "account"

urlpatterns = [
    path("tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.RevokeTokenView.as_view(), name="token-revoke"),
]
