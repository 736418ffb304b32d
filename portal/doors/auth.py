"""The signed-in user, read with two more facts every page needs: is any lockdown active, and
which roles does the user hold (the header names them)? Their permissions are read in one query
(the user's own and their groups', as a UNION) rather than Django's two.

Every page shows the lockdown banner while a lockdown is active, so every page would ask. The
question rides along the query that loads the user for the session (an EXISTS in the same
statement) instead of costing each page a query of its own; so do the role names.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Subquery

from portal.core.aggregates import JoinedText, split_joined
from portal.doors.models import Lockdown


def role_names():
    """The names of the user's groups (their roles), joined: a subquery of the user query."""
    groups = Group.objects.filter(user=OuterRef("pk"))
    return Subquery(groups.values("user").annotate(names=JoinedText("name")).values("names")[:1])


class LockdownAwareBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            any_lockdown=Exists(Lockdown.objects.active()), role_names=role_names()
        )
        user = users.filter(pk=user_id).first()
        if user is not None:
            user.role_list = split_joined(user.role_names)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                user_obj._perm_cache = super().get_all_permissions(user_obj)
            else:
                user_obj._perm_cache = permissions_of(user_obj)
        return user_obj._perm_cache


def permissions_of(user) -> set[str]:
    """``app_label.codename`` of the user's own permissions and their groups'."""
    columns = ("content_type__app_label", "codename")
    own = Permission.objects.filter(user=user).values_list(*columns).order_by()
    via_groups = Permission.objects.filter(group__user=user).values_list(*columns).order_by()
    return {f"{app}.{codename}" for app, codename in own.union(via_groups)}
