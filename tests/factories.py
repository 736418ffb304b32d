"""factory_boy factories for the portal's models."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.people.models import Department, Person, Position, Site
from portal.sync.models import VendorAccount


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@workgate.example")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Site {n}")
    code = factory.Sequence(lambda n: f"S{n:03d}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    name = factory.Sequence(lambda n: f"Position {n}")
    code = factory.Sequence(lambda n: f"P{n:03d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_code = factory.Sequence(lambda n: f"{n:05d}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda p: f"{p.first_name}.{p.last_name}@example.com".lower())
    department = factory.SubFactory(DepartmentFactory)


class VendorAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorAccount

    kind = "biotime"
    name = factory.Sequence(lambda n: f"BioTime {n}")
    base_url = "http://127.0.0.1:8105"
    options = factory.LazyFunction(lambda: {"username": "api", "login_kind": "jwt"})
    credentials = factory.LazyFunction(lambda: {"password": "s3cret-vendor-password"})


def link_person_to(account, person, vendor_id: str = "1001"):
    """The person holds a record in that vendor system (as a pull or push would have linked)."""
    from django.contrib.contenttypes.models import ContentType

    from portal.sync.models import ExternalLink

    return ExternalLink.objects.create(
        account=account,
        content_type=ContentType.objects.get_for_model(person),
        object_id=person.pk,
        vendor_id=vendor_id,
        vendor_code=person.employee_code,
    )


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "devices.Device"

    account = factory.SubFactory(VendorAccountFactory, kind="biostar")
    vendor_id = factory.Sequence(lambda n: f"54{n:07d}")
    kind = "controller"
    name = factory.Sequence(lambda n: f"CoreStation {n}")
    online = True


class DoorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "doors.Door"

    account = factory.SubFactory(VendorAccountFactory, kind="biostar")
    vendor_id = factory.Sequence(lambda n: str(n + 1))
    name = factory.Sequence(lambda n: f"Door {n}")
    state = "locked"


class DoorEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "doors.DoorEvent"

    door = factory.SubFactory(DoorFactory)
    account = factory.SelfAttribute("door.account")
    occurred_at = factory.LazyFunction(timezone.now)
    kind = "granted"
    vendor_key = factory.Sequence(lambda n: f"event-{n}")
