"""Permission checks for views that explain what is missing when they refuse."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied


def permission_label(codename: str) -> str:
    app_label, code = codename.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=code).first()
    return permission.name if permission else codename


class PermissionRequiredMixin(LoginRequiredMixin):
    """Like Django's, but the 403 page names the permission and who can grant it."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission_required and not request.user.has_perm(self.permission_required):
            raise PermissionDenied(
                f"This page needs the permission \u201c{permission_label(self.permission_required)}\u201d. "
                "Ask an administrator to give you a role that includes it."
            )
        return super().dispatch(request, *args, **kwargs)
