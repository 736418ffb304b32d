"""The operators' commands against a simulator served on loopback, as on a real network."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from connectors.q2.simulator import Q2Simulator
from connectors.simkit.serve import serve
from portal.core.models import AuditEntry
from portal.people.models import Person
from portal.sync.models import VendorAccount

pytestmark = pytest.mark.django_db


@pytest.fixture
def q2_server(clock):
    handle = serve(Q2Simulator.demo(clock=clock))
    yield handle
    handle.server.shutdown()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def add_q2(q2_server, name="Plant Q2", token=None):
    creds = q2_server.simulator.credentials()
    return run(
        "vendor",
        "add",
        "--kind",
        "q2",
        "--name",
        name,
        "--base-url",
        q2_server.base_url,
        "--company-id",
        creds["company_id"],
        "--developer-token",
        token or creds["developer_token"],
        "--import-new-people",
    )


def test_vendor_add_list_test_remove(q2_server):
    assert "Added Plant Q2" in add_q2(q2_server)
    account = VendorAccount.objects.get(name="Plant Q2")
    assert account.credentials == {
        "developer_token": q2_server.simulator.credentials()["developer_token"]
    }
    assert "Plant Q2" in run("vendor", "list")
    assert "Connected to" in run("vendor", "test", "Plant Q2")
    assert "Removed Plant Q2" in run("vendor", "remove", "Plant Q2")
    assert not VendorAccount.objects.exists()
    assert {"vendor_account.created", "vendor_account.removed"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_vendor_test_reports_what_the_vendor_said(q2_server):
    add_q2(q2_server, token="wrong-token")
    with pytest.raises(CommandError, match="Developer token is not correct"):
        run("vendor", "test", "Plant Q2")


def test_vendor_add_names_each_bad_option():
    with pytest.raises(CommandError) as caught:
        run("vendor", "add", "--kind", "q2", "--name", "X", "--base-url", "nowhere")
    assert "--base-url: Enter a valid URL." in str(caught.value)
    assert "--developer-token: This field is required." in str(caught.value)


def test_sync_command_pulls_in_the_foreground_with_counts(q2_server):
    add_q2(q2_server)
    output = run("sync", "--account", "Plant Q2", "--stream", "people")
    assert "Plant Q2/people: succeeded" in output and "created" in output
    assert Person.objects.count() > 40
    with pytest.raises(CommandError, match="does not offer 'doors'"):
        run("sync", "--account", "Plant Q2", "--stream", "doors")


def test_sync_command_skips_a_paused_account_and_a_passing_vendor_test_resumes_it(q2_server):
    add_q2(q2_server, token="wrong-token")
    with pytest.raises(CommandError, match="1 pull"):
        run("sync", "--account", "Plant Q2", "--stream", "people")  # refused: the account pauses
    served = q2_server.simulator.requests_served
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sync", "--account", "Plant Q2", "--stream", "people", stdout=out)
    assert "paused: AuthenticationError" in out.getvalue()
    assert q2_server.simulator.requests_served == served  # not asked again

    account = VendorAccount.objects.get()
    account.credentials = {"developer_token": q2_server.simulator.credentials()["developer_token"]}
    account.save()
    assert "Connected to" in run("vendor", "test", "Plant Q2")
    assert "Plant Q2/people: succeeded" in run(
        "sync", "--account", "Plant Q2", "--stream", "people"
    )
