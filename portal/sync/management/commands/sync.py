"""Run pulls in the foreground with progress: ``manage.py sync [--account N] [--stream S] [--full]``."""

from django.core.management.base import BaseCommand, CommandError

from portal.sync.backoff import PullNotDue
from portal.sync.lease import StreamBusy
from portal.sync.models import SyncRun, VendorAccount
from portal.sync.pull import pull_stream
from portal.sync.schedules import streams_of


class Command(BaseCommand):
    help = "Pull vendor data now, in the foreground, printing progress per page."

    def add_arguments(self, parser):
        parser.add_argument("--account", help="Account name (default: every enabled account).")
        parser.add_argument(
            "--stream", help="One stream, e.g. people, punches (default: all it offers)."
        )
        parser.add_argument(
            "--full", action="store_true", help="Ignore the cursor and read everything."
        )

    def handle(self, *args, account=None, stream=None, full=False, **options):
        accounts = VendorAccount.objects.filter(enabled=True, pull_enabled=True)
        if account:
            accounts = VendorAccount.objects.filter(name=account)
            if not accounts:
                raise CommandError(
                    f"No vendor account named {account!r}. See `manage.py vendor list`."
                )
        failed = 0
        for acct in accounts:
            streams = streams_of(acct)
            if stream:
                if stream not in streams:
                    raise CommandError(
                        f"{acct.name} does not offer {stream!r}; it offers {', '.join(streams)}."
                    )
                streams = [stream]
            for name in streams:
                failed += self.pull(acct, name, full)
        if failed:
            raise CommandError(f"{failed} pull(s) failed; see above.")

    def pull(self, account, stream, full) -> int:
        def progress(run):
            self.stdout.write(
                f"  {account.name}/{stream}: page {run.pages}, {run.fetched} fetched", ending="\r"
            )

        try:
            run = pull_stream(account.pk, stream, full=full, on_page=progress)
        except StreamBusy:
            self.stdout.write(
                self.style.WARNING(f"{account.name}/{stream}: another pull is running; skipped.")
            )
            return 0
        except PullNotDue as skipped:  # refused credentials: fix them (vendor edit) or test
            self.stdout.write(self.style.ERROR(f"{account.name}/{stream}: {skipped}; skipped."))
            return 1
        line = (
            f"{account.name}/{stream}: {run.status} in {run.pages} page(s): fetched {run.fetched}, "
            f"created {run.created}, updated {run.updated}, unchanged {run.unchanged}, "
            f"skipped {run.skipped}, unmatched {run.unmatched}, gone {run.gone}"
        )
        if run.status == SyncRun.Status.FAILED:
            self.stdout.write(self.style.ERROR(f"{line}\n  error: {run.error}"))
            return 1
        self.stdout.write(self.style.SUCCESS(line))
        return 0
