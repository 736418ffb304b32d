"""Request rates: per API token (each token its own budget), per user on a session, per address
before signing in. Rates are in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``."""

import logging

from rest_framework.throttling import SimpleRateThrottle

log = logging.getLogger(__name__)


class PerTokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return f"throttle_api_anon_{self.get_ident(request)}"
        token = request.auth
        if hasattr(token, "prefix"):
            return f"throttle_api_token_{token.pk}"
        return f"throttle_api_user_{request.user.pk}"

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            self.scope = "api_anon"
            self.rate = self.get_rate()
            self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache (Redis) is down: serve rather than fail every call
            log.warning("API rate limit not checked: the cache is unreachable")
            return True
