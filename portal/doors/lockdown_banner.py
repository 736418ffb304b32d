"""The lockdown banner every page shows while a lockdown is active (a context processor)."""

from django.utils.functional import SimpleLazyObject

from portal.doors.lockdown import unsecured_count
from portal.doors.models import Lockdown


def banner_context() -> dict:
    active = list(Lockdown.objects.active().select_related("site", "started_by"))
    return {"lockdowns": active, "unsecured": unsecured_count() if active else 0}


def lockdown_banner(request):
    """``lockdown_banner`` for base.html: read only when the page renders it (signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(user, "any_lockdown", True) is False:
        return {}  # known from the user's own query (portal.doors.auth): nothing to show
    return {"lockdown_banner": SimpleLazyObject(banner_context)}
