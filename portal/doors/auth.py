"""The signed-in user, read with one more fact every page needs: is any lockdown active?

Every page shows the lockdown banner while a lockdown is active, so every page would ask. The
question rides along the query that loads the user for the session (an EXISTS in the same
statement) instead of costing each page a query of its own.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Exists

from portal.doors.models import Lockdown


class LockdownAwareBackend(ModelBackend):
    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(
            any_lockdown=Exists(Lockdown.objects.active())
        )
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
