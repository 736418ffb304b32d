"""/api/v1/people/{id}/: per system "should be in / is in", and the override through the API."""

import pytest

from portal.core.models import AuditEntry
from portal.sync.models import (
    AccessGroup,
    PersonAccessGroups,
    ProvisioningOverride,
    ProvisioningRule,
)
from tests.factories import PersonFactory, SiteFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/people/"


@pytest.fixture
def world():
    biotime = VendorAccountFactory(name="HQ BioTime")
    biostar = VendorAccountFactory(kind="biostar", name="Doors", options={"login_id": "api"})
    bremen = SiteFactory(name="Bremen Warehouse")
    rule = ProvisioningRule.objects.create(name="Bremen Warehouse staff", site=bremen)
    rule.accounts.set([biostar])
    person = PersonFactory()
    person.sites.set([bremen])
    return biotime, biostar, person


def test_the_person_shows_per_system_should_be_in_and_why(world, api_as):
    biotime, biostar, person = world

    systems = {
        s["account_name"]: s for s in api_as("hr").get(f"{URL}{person.pk}/").json()["systems"]
    }

    assert systems["Doors"]["should_be_in"] is True
    assert systems["Doors"]["provisioned_by"] == "Rule “Bremen Warehouse staff”"
    assert systems["Doors"]["provisioning"] == "missing"
    assert (systems["HQ BioTime"]["should_be_in"], systems["HQ BioTime"]["provisioning"]) == (
        False,
        "absent",
    )


def test_the_override_and_access_groups_are_set_through_the_api(world, api_as):
    biotime, biostar, person = world
    group = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")

    answer = api_as("hr").post(
        f"{URL}{person.pk}/provisioning/",
        {
            "systems": [
                {"account": biotime.pk, "override": "always"},
                {"account": biostar.pk, "access_groups": [group.pk]},
            ]
        },
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    systems = {s["account_name"]: s for s in answer.json()["systems"]}
    assert (systems["HQ BioTime"]["should_be_in"], systems["HQ BioTime"]["override"]) == (
        True,
        "always",
    )
    assert systems["Doors"]["wanted_access_groups"] == ["Bremen staff"]
    assert ProvisioningOverride.objects.get().mode == "always"
    assert list(PersonAccessGroups.objects.get().groups.all()) == [group]
    assert AuditEntry.objects.filter(action="person.provisioning_changed").exists()


def test_a_refused_choice_is_a_400_beside_its_field_and_nothing_changes(world, api_as):
    biotime, biostar, person = world
    group = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")

    answer = api_as("hr").post(
        f"{URL}{person.pk}/provisioning/",
        {"systems": [{"account": biostar.pk, "override": "never", "access_groups": [group.pk]}]},
        format="json",
    )
    unknown = api_as("hr").post(
        f"{URL}{person.pk}/provisioning/", {"systems": [{"account": 999999}]}, format="json"
    )

    assert answer.status_code == 400 and "Access groups apply only" in answer.content.decode()
    assert unknown.status_code == 400
    assert not ProvisioningOverride.objects.exists()


def test_a_manager_cannot_set_provisioning(world, api_as):
    _, biostar, person = world
    answer = api_as("manager").post(
        f"{URL}{person.pk}/provisioning/",
        {"systems": [{"account": biostar.pk, "override": "never"}]},
        format="json",
    )
    assert answer.status_code in (403, 404)


def test_rules_are_a_resource_written_through_the_pages_form_and_audited(world, api_as):
    biotime, biostar, person = world
    admin = api_as("admin")

    made = admin.post(
        "/api/v1/provisioning-rules/",
        {"name": "Everyone in BioTime", "accounts": [biotime.pk]},
        format="json",
    )
    refused = admin.post("/api/v1/provisioning-rules/", {"name": "No system"}, format="json")
    listed = api_as("hr").get("/api/v1/provisioning-rules/").json()
    hr_write = api_as("hr").post(
        "/api/v1/provisioning-rules/", {"name": "x", "accounts": [biotime.pk]}, format="json"
    )

    assert made.status_code == 201, made.json()
    assert made.json()["who"] == "Everyone"
    assert refused.status_code == 400 and "Choose at least one system" in refused.content.decode()
    assert {r["name"] for r in listed["results"]} == {
        "Bremen Warehouse staff",
        "Everyone in BioTime",
    }
    assert hr_write.status_code == 403
    assert AuditEntry.objects.filter(action="provisioning_rule.created").exists()
    deleted = admin.delete(f"/api/v1/provisioning-rules/{made.json()['id']}/")
    assert deleted.status_code == 204
    assert AuditEntry.objects.filter(action="provisioning_rule.deleted").exists()
