"""HR hires, corrects and terminates a person through the pages, in a real browser."""

from playwright.sync_api import expect

from portal.core.models import AuditEntry
from portal.people.models import Person
from tests.factories import DepartmentFactory, PersonFactory, SiteFactory


def test_hr_adds_fixes_and_terminates_a_person(login, screenshot):
    DepartmentFactory(name="Warehouse")
    SiteFactory(name="Bremen Warehouse")
    page = login("hr")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Add person").click()

    page.get_by_label("Employee code").fill("00077")
    page.get_by_label("First name").fill("Ronja")
    page.get_by_label("Last name").fill("Rademacher")
    page.get_by_label("Email").fill("ronja@")
    page.get_by_label("Department").select_option(label="Warehouse")
    page.get_by_label("Bremen Warehouse").check()
    page.get_by_role("button", name="Add person").click()
    expect(page.locator(".field-error")).to_contain_text(["Enter a valid email address."])
    expect(page.get_by_label("First name")).to_have_value("Ronja")
    screenshot("person-form-error")

    page.get_by_label("Email").fill("ronja.rademacher@example.com")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ronja Rademacher")
    expect(page.get_by_text("exists only in Workgate")).to_be_visible()
    screenshot("person-detail")

    page.get_by_label("Reason").fill("Moved to a partner company")
    page.get_by_label("Now: an involuntary termination").check()
    page.get_by_role("button", name="Terminate Ronja").click()
    page.get_by_role("button", name="Confirm termination of Ronja").click()
    expect(page.get_by_role("status").first).to_contain_text("Terminated Ronja Rademacher")
    expect(page.locator("h1 .badge")).to_have_text("Terminated")
    screenshot("person-terminated")

    person = Person.objects.get(employee_code="00077")
    assert (
        person.status == "terminated" and person.termination_reason == "Moved to a partner company"
    )
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "person.created",
        "person.terminated",
    ]

    page.get_by_role("button", name="Rehire").click()
    expect(page.locator("h1 .badge")).to_have_text("Active")


def test_people_list_searches_as_you_type(login, screenshot):
    from tests.factories import PersonFactory

    PersonFactory(first_name="Umut", last_name="Yilmaz", employee_code="00101")
    PersonFactory(first_name="Vera", last_name="Vogt", employee_code="00102")
    page = login("hr")
    page.goto("/people/")
    page.get_by_label("Search").fill("yil")
    expect(page.locator("#person-table tbody tr")).to_have_count(1)
    expect(page.locator("#person-table")).to_contain_text("Umut Yilmaz")
    screenshot("people-search")
    page.get_by_label("Search").fill("zzz")
    expect(page.get_by_text("Nobody matches this search")).to_be_visible()


def test_hr_chooses_a_manager_by_typing_and_the_page_shows_the_team(login, screenshot):
    boss = PersonFactory(first_name="Milan", last_name="Meyer", employee_code="00049")
    person = PersonFactory(first_name="Carla", last_name="Ohlsen")
    page = login("hr")
    page.goto(f"/people/{person.pk}/edit/")

    page.get_by_label("Manager").fill("Milan")
    expect(
        page.locator("datalist#id_manager-options option[value='Milan Meyer (00049)']")
    ).to_have_count(1)
    page.get_by_label("Manager").fill("Milan Meyer (00049)")
    screenshot("person-form-manager")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Carla Ohlsen")
    expect(page.get_by_role("link", name="Milan Meyer")).to_be_visible()

    page.goto(f"/people/{boss.pk}/")
    expect(page.get_by_role("link", name="Carla Ohlsen")).to_be_visible()
    screenshot("person-detail-team")
    person.refresh_from_db()
    assert person.manager == boss


def test_above_the_listed_limit_the_manager_box_searches_as_one_types(
    login, screenshot, monkeypatch
):
    """A large company's form carries no list of everyone: typing asks for suggestions."""
    from portal.people import pickers

    monkeypatch.setattr(pickers, "LISTED_AT_ONCE", 2)
    PersonFactory(first_name="Milan", last_name="Meyer", employee_code="00049")
    PersonFactory(first_name="Mila", last_name="Jansen", employee_code="00050")
    PersonFactory(first_name="Olaf", last_name="Otto", employee_code="00051")
    person = PersonFactory(first_name="Carla", last_name="Ohlsen")
    page = login("hr")
    page.goto(f"/people/{person.pk}/edit/")
    options = page.locator("datalist#id_manager-options option")
    expect(options).to_have_count(0)

    page.get_by_label("Manager").press_sequentially("mil", delay=40)

    expect(options).to_have_count(2)
    expect(
        page.locator("datalist#id_manager-options option[value='Milan Meyer (00049)']")
    ).to_have_count(1)
    page.get_by_label("Manager").fill("Milan Meyer (00049)")
    screenshot("person-form-manager-search")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("link", name="Milan Meyer")).to_be_visible()


def test_the_sites_checkboxes_are_a_group_named_above_them(login, screenshot):
    SiteFactory(name="Bremen Warehouse")
    SiteFactory(name="Hamburg Office")
    page = login("hr")
    page.goto("/people/add/")
    screenshot("person-form-sites")

    sites = page.get_by_role("group", name="Sites")
    expect(sites.get_by_role("checkbox")).to_have_count(2)
    legend = sites.locator("legend").bounding_box()
    first_box = sites.get_by_role("checkbox").first.bounding_box()
    assert legend["y"] + legend["height"] <= first_box["y"]
