"""``Authorization: Token wg_…`` (or ``Bearer wg_…``): a user's API token."""

from rest_framework import authentication, exceptions

from portal.api import tokens

KEYWORDS = ("token", "bearer")


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in KEYWORDS:
            return None  # not ours: the session may still sign the request in
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as `Authorization: Token <token>`, with no spaces inside it."
            )
        found = tokens.user_for(header[1])
        if found is None:
            raise exceptions.AuthenticationFailed(
                "This token is unknown, revoked or expired. Create a new one on your Account page."
            )
        return found

    def authenticate_header(self, request):
        return "Token"  # unauthenticated requests get 401 with WWW-Authenticate, not 403
