"""Create the demo users (one per role) and the demo organisation (people, departments,
managers; the manager login leads a team). Safe to run again: it resets them to the demo state."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.core.roles import ensure_roles
from portal.demo.org import seed_org
from portal.demo.users import DEMO_USERS


class Command(BaseCommand):
    help = "Create or reset the demo users for every role and the demo organisation."

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
        org = seed_org(manager_user=User.objects.get(username="manager"))
        # the login carries the name of the person it belongs to
        User.objects.filter(username="manager").update(
            first_name=org.lead.first_name, last_name=org.lead.last_name
        )
        self.stdout.write(
            f"Organisation: {org.people_created} people added, {org.managers_set} managers set; "
            f"manager is {org.lead.full_name} with {org.direct_reports} direct reports "
            f"and a sub-team of {org.sub_team}"
        )
