"""A user creates an API token on their page, copies it once, uses it, and revokes it."""

import httpx
from playwright.sync_api import expect

from portal.api.models import ApiToken


def test_create_use_and_revoke_a_token(login, screenshot, live_server):
    page = login("hr")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".field-error")).to_contain_text(["This field is required."])
    screenshot("api-token-form-error")

    page.get_by_label("Name").fill("payroll export")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("status")).to_contain_text("Token “payroll export” created")
    token = page.get_by_label("Your new token").input_value()
    expect(page.get_by_label("Name")).to_have_value("")  # the form is ready for the next one
    expect(page.locator(".field-error")).to_have_count(0)
    screenshot("api-token-created")

    api = httpx.get(
        f"{live_server.url}/api/v1/people/", headers={"Authorization": f"Token {token}"}
    )
    assert api.status_code == 200

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke payroll export").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked “payroll export”")
    screenshot("api-token-revoked")
    assert ApiToken.objects.get().revoked_at is not None
    api = httpx.get(
        f"{live_server.url}/api/v1/people/", headers={"Authorization": f"Token {token}"}
    )
    assert api.status_code == 401


def test_the_api_docs_render_offline_from_our_own_static_files(login, screenshot):
    page = login("hr")
    page.goto("/account/tokens/")
    page.get_by_role("link", name="Workgate API").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Workgate API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    screenshot("api-docs")
