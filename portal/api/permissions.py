"""One permission check for the whole API: the Django permissions the pages use.

Reading needs the model's ``view`` permission (as the list pages do), writing its ``add`` /
``change`` / ``delete``. A viewset names the permissions of its extra actions, and of any
action whose page twin asks for something else, in ``action_permissions``.
"""

from rest_framework.permissions import DjangoModelPermissions

from portal.core.permissions import permission_label


class ApiPermission(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if getattr(view, "queryset", None) is None:
            return True  # a view with no model (the schema, its docs) needs only a signed-in user
        missing = [p for p in self.required(request, view) if not request.user.has_perm(p)]
        if missing:
            # the same words as the pages' 403
            self.message = (
                f"This needs the permission \u201c{permission_label(missing[0])}\u201d. "
                "Ask an administrator to give you a role that includes it."
            )
        return not missing

    def required(self, request, view) -> list[str]:
        wanted = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        if wanted is not None:
            return wanted
        if request.method not in self.perms_map:
            return []  # DRF answers 405 for the method
        return self.get_required_permissions(request.method, self._queryset(view).model)
