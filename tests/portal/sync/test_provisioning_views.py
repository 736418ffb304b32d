"""The provisioning rules page and the person page's "should be in / is in" and its form."""

import pytest
from django.urls import reverse

from portal.core.models import AuditEntry
from portal.people.models import Site
from portal.sync.models import (
    AccessGroup,
    OutboxMessage,
    PendingCreate,
    PersonAccessGroups,
    ProvisioningOverride,
    ProvisioningRule,
)
from tests.factories import PersonFactory, VendorAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def systems():
    biotime = VendorAccountFactory(name="HQ BioTime")
    biostar = VendorAccountFactory(kind="biostar", name="Doors", options={"login_id": "api"})
    return biotime, biostar


@pytest.fixture
def bremen():
    return Site.objects.create(name="Bremen Warehouse", code="BRE")


def test_without_rules_the_page_says_every_system_gets_every_new_person(systems, client_as):
    html = client_as("hr").get(reverse("sync:rule-list")).content.decode()

    assert "No rules yet." in html and "(Doors, HQ BioTime)" in html
    assert "Add rule" not in html  # HR sees the rules; administrators edit them
    assert "Access groups not read yet" in html


def test_an_administrator_adds_a_rule_and_it_is_audited(systems, bremen, client_as):
    biotime, biostar = systems
    group = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")
    client = client_as("admin")

    response = client.post(
        reverse("sync:rule-add"),
        {
            "name": "Bremen Warehouse staff",
            "site": bremen.pk,
            "accounts": [biotime.pk, biostar.pk],
            "access_groups": [group.pk],
        },
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200 and response["HX-Redirect"] == reverse("sync:rule-list")
    rule = ProvisioningRule.objects.get()
    assert rule.who == "Everyone at Bremen Warehouse"
    entry = AuditEntry.objects.get(action="provisioning_rule.created")
    assert "Bremen Warehouse staff" in entry.object_repr
    html = client.get(reverse("sync:rule-list")).content.decode()
    assert "Everyone at Bremen Warehouse" in html and "Bremen staff" in html


def test_a_rule_without_a_system_or_with_a_stray_group_is_refused_beside_the_field(
    systems, client_as
):
    biotime, biostar = systems
    group = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")
    client = client_as("admin")

    empty = client.post(
        reverse("sync:rule-add"), {"name": "Nobody"}, headers={"HX-Request": "true"}
    ).content.decode()
    stray = client.post(
        reverse("sync:rule-add"),
        {"name": "Stray", "accounts": [biotime.pk], "access_groups": [group.pk]},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert empty.lstrip().startswith('<form id="rule-form"')
    assert "Choose at least one system the rule puts people in." in empty
    assert "These groups belong to Doors, which this rule does not put people in." in stray
    assert not ProvisioningRule.objects.exists()


def test_hr_cannot_edit_rules(systems, client_as):
    assert client_as("hr").post(reverse("sync:rule-add"), {"name": "x"}).status_code == 403


def test_deleting_a_rule_is_audited(systems, client_as):
    rule = ProvisioningRule.objects.create(name="Everyone")
    rule.accounts.set(systems)

    client_as("admin").post(reverse("sync:rule-delete", args=[rule.pk]))

    assert not ProvisioningRule.objects.exists()
    assert AuditEntry.objects.filter(action="provisioning_rule.deleted").exists()


def test_the_person_page_shows_should_be_in_and_why_per_system(systems, bremen, client_as):
    biotime, biostar = systems
    rule = ProvisioningRule.objects.create(name="Bremen Warehouse staff", site=bremen)
    rule.accounts.set([biostar])
    person = PersonFactory()
    person.sites.set([bremen])

    html = client_as("hr").get(reverse("people:person-detail", args=[person.pk])).content.decode()

    assert "Should be in" in html
    assert "Rule “Bremen Warehouse staff”" in html and "No rule matches" in html
    assert "Should be in Doors but is not" in html


def test_hr_sets_never_and_access_groups_on_the_person_page(systems, bremen, client_as):
    biotime, biostar = systems
    group = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")
    rule = ProvisioningRule.objects.create(name="Bremen Warehouse staff", site=bremen)
    rule.accounts.set([biotime, biostar])
    person = PersonFactory()
    person.sites.set([bremen])
    PendingCreate.objects.create(account=biotime, person=person)
    url = reverse("sync:person-provisioning", args=[person.pk])
    client = client_as("hr")

    refused = client.post(
        url,
        {f"mode_{biostar.pk}": "never", f"groups_{biostar.pk}": [group.pk]},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Access groups apply only where the person is." in refused
    assert not ProvisioningOverride.objects.exists()

    client.post(url, {f"mode_{biotime.pk}": "never", f"groups_{biostar.pk}": [group.pk]})

    override = ProvisioningOverride.objects.get()
    assert (override.account, override.mode) == (biotime, "never")
    assert not PendingCreate.objects.filter(account=biotime).exists()  # no longer owed
    chosen = PersonAccessGroups.objects.get(person=person, account=biostar)
    assert list(chosen.groups.all()) == [group]
    assert {e.action for e in AuditEntry.objects.all()} >= {
        "person.provisioning_changed",
        "person.access_groups_changed",
    }
    assert OutboxMessage.objects.filter(account=biostar).exists()
    html = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()
    assert "Never in this system (set on the person)" in html


def test_the_person_page_shows_rules_overrides_and_groups_within_ten_queries(
    systems, bremen, client_as, django_assert_max_num_queries
):
    biotime, biostar = systems
    staff = AccessGroup.objects.create(account=biostar, vendor_id="3", name="Bremen staff")
    lab = AccessGroup.objects.create(account=biostar, vendor_id="7", name="Lab")
    rule = ProvisioningRule.objects.create(name="Bremen Warehouse staff", site=bremen)
    rule.accounts.set([biotime, biostar])
    rule.access_groups.set([staff])
    person = PersonFactory(first_name="Ronja")
    person.sites.set([bremen])
    ProvisioningOverride.objects.create(person=person, account=biotime, mode="never")
    PersonAccessGroups.objects.create(person=person, account=biostar).groups.set([lab])
    client = client_as("hr")

    with django_assert_max_num_queries(10):
        html = client.get(reverse("people:person-detail", args=[person.pk])).content.decode()

    # the rule's group is granted, HR's own choice is ticked, the override is selected
    assert "(should be: Bremen staff, Lab)" in html
    boxes = f'<input type="checkbox" name="groups_{biostar.pk}" value="{{}}" id="id_groups_{biostar.pk}_{{}}"'
    assert boxes.format(staff.pk, 0) + ">" in html  # the rule grants it: not HR's own choice
    assert boxes.format(lab.pk, 1) + " checked>" in html
    assert '<option value="never" selected>' in html
