"""Everything the portal knows about vendors comes from the connector registry, and agrees."""

import pytest

from connectors.registry import kinds, vendor, vendors
from portal.sync.forms import VendorAccountForm
from portal.sync.models import VendorAccount

REGISTERED = [(entry.kind, entry.label) for entry in vendors().values()]


def test_account_kinds_are_the_registered_vendors():
    assert list(VendorAccount._meta.get_field("kind").choices) == REGISTERED


def test_the_account_form_offers_every_registered_vendor():
    assert list(VendorAccountForm().fields["kind"].choices) == REGISTERED


@pytest.mark.parametrize("kind", kinds())
def test_the_account_form_asks_for_the_settings_the_entry_declares(kind):
    entry = vendor(kind)
    form = VendorAccountForm(kind=kind)
    assert [f.name for f in form.option_fields] == [f"option_{o.name}" for o in entry.options]
    assert [f.name for f in form.secret_fields] == [f"secret_{s.name}" for s in entry.secrets]
    assert form.fields["base_url"].widget.attrs["placeholder"] == entry.base_url_example
