"""Create the demo users (one per role). Safe to run again: it resets them to the demo state."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core.roles import ensure_roles
from portal.demo.users import DEMO_USERS


class Command(BaseCommand):
    help = "Create or reset the demo users for every role."

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_roles()
        User = get_user_model()
        for demo in DEMO_USERS:
            user, created = User.objects.get_or_create(username=demo.username)
            user.first_name, user.last_name = demo.first_name, demo.last_name
            user.email = f"{demo.username}@workgate.example"
            user.is_staff, user.is_superuser, user.is_active = (
                demo.is_staff,
                demo.is_superuser,
                True,
            )
            user.set_password(demo.password)
            user.save()
            user.groups.set(Group.objects.filter(name__in=demo.groups))
            self.stdout.write(
                f"{'Created' if created else 'Reset'} {demo.username} ({demo.description})"
            )
