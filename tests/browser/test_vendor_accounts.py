"""An administrator adds a vendor account through the page, as they would on a real server."""

from playwright.sync_api import expect

from portal.core.models import AuditEntry
from portal.sync.models import VendorAccount


def test_admin_adds_an_account_switching_kind_and_fixing_an_error(login, screenshot):
    page = login("admin")
    page.goto("/sync/accounts/")
    screenshot("vendor-accounts-empty")
    page.get_by_role("link", name="Add account").click()

    page.get_by_label("Account name").fill("Warehouse clocks")
    page.get_by_label("System", exact=True).select_option(
        "q2"
    )  # htmx swaps in Q2's credential fields
    expect(page.get_by_label("Company ID")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    expect(page.get_by_label("Account name")).to_have_value("Warehouse clocks")

    page.get_by_label("Server address").fill("not an address")
    page.get_by_label("Company ID").fill("ACME-1")
    page.get_by_label("Developer token").fill("tok-123-secret")
    page.get_by_role("button", name="Save account").click()
    expect(page.locator(".field-error")).to_contain_text(["Enter a valid URL."])
    screenshot("vendor-account-form-error")
    assert not VendorAccount.objects.exists()

    page.get_by_label("Server address").fill("https://q2.example.com")
    page.get_by_label("Developer token").fill("tok-123-secret")  # never re-rendered
    page.get_by_role("button", name="Save account").click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Warehouse clocks”")
    expect(page.get_by_role("cell", name="OpenTimeClock Q2")).to_be_visible()
    screenshot("vendor-accounts-list")

    account = VendorAccount.objects.get()
    assert account.credentials == {"developer_token": "tok-123-secret"}
    assert AuditEntry.objects.filter(
        action="vendor_account.created", object_id=str(account.pk)
    ).exists()

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Developer token")).to_have_value("")
    expect(page.get_by_text("is never shown again")).to_be_visible()
    screenshot("vendor-account-edit")
