"""Vendor accounts from the command line: add, list, test, remove.

    manage.py vendor add --kind biotime --name "HQ BioTime" --base-url https://bt:8090 \\
        --username api --password …
    manage.py vendor list
    manage.py vendor test "HQ BioTime"
    manage.py vendor remove "HQ BioTime"

Secrets given as options land encrypted like those typed in the page; they are never printed.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError

from connectors.registry import kinds, vendor, vendors
from portal.core import audit
from portal.sync.forms import VendorAccountForm
from portal.sync.models import VendorAccount
from portal.sync.services import check_connection

CREDENTIAL_OPTIONS = sorted(
    {f.name for entry in vendors().values() for f in (*entry.options, *entry.secrets)}
)


class Command(BaseCommand):
    help = "Manage vendor accounts: add, list, test, remove."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="Add an account.")
        add.add_argument("--kind", required=True, choices=kinds())
        add.add_argument("--name", required=True)
        add.add_argument("--base-url", required=True)
        add.add_argument("--time-zone", default="Europe/Berlin")
        add.add_argument(
            "--no-verify-tls", action="store_true", help="Accept a self-signed certificate."
        )
        add.add_argument("--import-new-people", action="store_true")
        for name in CREDENTIAL_OPTIONS:
            add.add_argument(f"--{name.replace('_', '-')}", dest=name)
        sub.add_parser("list", help="List accounts.")
        test = sub.add_parser("test", help="Run the connection check and print the result.")
        test.add_argument("name")
        remove = sub.add_parser("remove", help="Remove an account and its mirror rows.")
        remove.add_argument("name")

    def handle(self, *args, verb, **options):
        getattr(self, f"do_{verb}")(**options)

    def do_add(self, kind, name, base_url, time_zone, no_verify_tls, import_new_people, **options):
        data = {
            "kind": kind,
            "name": name,
            "base_url": base_url,
            "time_zone": time_zone,
            "verify_tls": not no_verify_tls,
            "enabled": True,
            "pull_enabled": True,
            "push_enabled": True,
            "import_new_people": import_new_people,
        }
        entry = vendor(kind)
        for field in entry.options:
            data[f"option_{field.name}"] = options.get(field.name) or field.default
        for field in entry.secrets:
            data[f"secret_{field.name}"] = options.get(field.name) or ""
        form = VendorAccountForm(data)
        if not form.is_valid():
            problems = "; ".join(
                f"--{key.removeprefix('option_').removeprefix('secret_').replace('_', '-')}: {' '.join(errs)}"
                for key, errs in form.errors.items()
            )
            raise CommandError(f"Not added: {problems}")
        with transaction.atomic():
            account = form.save()
            audit.record(
                "vendor_account.created",
                actor_label=audit.command_line_actor(),
                obj=account,
                after={"kind": kind, "base_url": base_url, "via": "cli"},
            )
        self.stdout.write(
            self.style.SUCCESS(f"Added {account.name} ({account.get_kind_display()}).")
        )

    def do_list(self, **options):
        accounts = VendorAccount.objects.all()
        if not accounts:
            self.stdout.write("No vendor accounts. Add one with `manage.py vendor add`.")
        for a in accounts:
            state = "enabled" if a.enabled else "disabled"
            self.stdout.write(f"{a.name:<28} {a.kind:<10} {a.base_url:<40} {state}")

    def get(self, name) -> VendorAccount:
        try:
            return VendorAccount.objects.get(name=name)
        except VendorAccount.DoesNotExist:
            raise CommandError(
                f"No vendor account named {name!r}. See `manage.py vendor list`."
            ) from None

    def do_test(self, name, **options):
        account = self.get(name)
        ok = check_connection(account.pk)
        account.refresh_from_db()
        if not ok:
            raise CommandError(account.check_message)
        self.stdout.write(self.style.SUCCESS(account.check_message))

    def do_remove(self, name, **options):
        account = self.get(name)
        try:
            with transaction.atomic():
                audit.record(
                    "vendor_account.removed",
                    actor_label=audit.command_line_actor(),
                    obj=account,
                    before={"kind": account.kind, "base_url": account.base_url},
                )
                account.delete()
        except ProtectedError:
            raise CommandError(
                f"{name} has door commands on record, which must stay for the audit trail. Disable the account instead."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"Removed {name}."))
