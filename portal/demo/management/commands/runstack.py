"""Run the whole embedded stack in the foreground: ``python manage.py runstack``."""

import json
import os
import signal
import subprocess
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from connectors.registry import kinds
from portal.celery import app as celery_app
from portal.core.models import WorkerHeartbeat
from portal.demo.accounts import demo_webhook_tokens, register_simulator_account
from portal.demo.banner import ready_banner
from portal.demo.provisioning import read_access_groups, seed_rules
from portal.demo.runtime import (
    Supervisor,
    free_port,
    python,
    redis_server_command,
    wait_for_http,
    wait_for_port,
    wait_until,
)
from portal.sync import dispatch
from portal.sync.models import ProvisioningRule, VendorAccount

#: how long a first start may take the worker to load Django and report (a cold, busy machine)
WORKER_START_TIMEOUT = 90.0


class Command(BaseCommand):
    help = "Start Redis (embedded), the vendor simulators, a Celery worker and beat, and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-simulators", action="store_true", help="Do not start the vendor simulators."
        )

    def handle(self, *args, port, no_simulators, **options):
        started_at = timezone.now()
        supervisor = Supervisor()
        # children print straight to this terminal: unbuffered, their banners come before ours
        supervisor.env["PYTHONUNBUFFERED"] = "1"
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            self.start_redis(supervisor)
            web_port = free_port(port)
            if not no_simulators:
                self.start_simulators(supervisor, web_port)
            manage = [python(), str(settings.BASE_DIR / "manage.py")]
            celery = [python(), "-m", "celery", "-A", "portal"]
            supervisor.start(
                "worker",
                [
                    *celery,
                    "worker",
                    "-Q",
                    "celery,sync,push",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                    "--hostname",
                    "worker@%h",
                ],
            )
            # door commands get their own worker: a long pull never delays an "open door"
            supervisor.start(
                "doors-worker",
                [
                    *celery,
                    "worker",
                    "-Q",
                    "doors",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "WARNING",
                    "--hostname",
                    "doors@%h",
                ],
            )
            supervisor.start(
                "beat",
                [
                    *celery,
                    "beat",
                    "--loglevel",
                    "WARNING",
                    "--pidfile",
                    "",
                    "--scheduler",
                    "django_celery_beat.schedulers:DatabaseScheduler",
                ],
            )
            supervisor.start("web", [*manage, "runserver", f"127.0.0.1:{web_port}", "--noreload"])
            url = f"http://127.0.0.1:{web_port}/"
            if not wait_for_http(url + "login/", timeout=60):
                raise SystemExit("The web server did not start; see the messages above.")
            self.wait_for_worker(started_at, supervisor, stop)
            if not stop.is_set() and supervisor.first_exited() is None:
                if not no_simulators:
                    self.first_sync()
                self.stdout.write(self.style.SUCCESS(ready_banner(url)))
                self.stdout.flush()
            while not stop.wait(1.0):
                exited = supervisor.first_exited()
                if exited:
                    name, code = exited
                    self.stderr.write(f"{name} stopped (exit code {code}); stopping everything.")
                    break
        finally:
            self.stdout.write("Stopping…")
            supervisor.stop_all()
            self.stdout.write("Stopped.")

    def start_redis(self, supervisor: Supervisor) -> None:
        if os.environ.get("REDIS_URL"):
            self.stdout.write(f"Using Redis at {os.environ['REDIS_URL']}")
            return
        port = free_port(6390)
        with open(settings.VAR_DIR / "redis.log", "ab") as log:  # the child keeps its own copy
            supervisor.start(
                "redis",
                redis_server_command(port, settings.VAR_DIR / "redis"),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if not wait_for_port(port):
            raise SystemExit("Embedded Redis did not start; see var/redis.log.")
        url = f"redis://127.0.0.1:{port}/0"
        supervisor.env["REDIS_URL"] = url
        # This process queues the first sync itself. The Django-namespaced key is the one Celery
        # reads (setting `conf.broker_url` is silently ignored once the app is configured).
        celery_app.conf.CELERY_BROKER_URL = url
        self.stdout.write(f"Embedded Redis on 127.0.0.1:{port}")

    def wait_for_worker(self, started_at, supervisor: Supervisor, stop: threading.Event) -> None:
        """Until the worker ran its first heartbeat: beat sends one as it starts, so by then both
        have printed their start-up banners and Redis carries tasks."""
        reported = wait_until(
            lambda: WorkerHeartbeat.objects.filter(last_beat_at__gte=started_at).exists(),
            timeout=WORKER_START_TIMEOUT,
            give_up=lambda: stop.is_set() or supervisor.first_exited() is not None,
        )
        if not reported and not stop.is_set() and supervisor.first_exited() is None:
            self.stderr.write(
                f"The Celery worker has not reported within {WORKER_START_TIMEOUT:.0f} s. "
                "Pages work; vendor syncs wait until it does (see the messages above)."
            )

    def start_simulators(self, supervisor: Supervisor, web_port: int) -> None:
        tokens = demo_webhook_tokens()
        webhook_args = []
        for kind, token in tokens.items():
            url = f"http://127.0.0.1:{web_port}" + reverse("sync:webhook", args=[kind, token])
            webhook_args += [f"--{kind}-webhook-url", url]
        process = supervisor.start(
            "simulators",
            [python(), "-m", "connectors.simulators", *webhook_args],
            stdout=subprocess.PIPE,
            text=True,
        )

        expected = len(kinds())
        deadline = time.monotonic() + 60
        while expected and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise SystemExit(
                    "The vendor simulators stopped while starting; see the messages above."
                )
            announced = json.loads(line)
            account = register_simulator_account(
                announced, webhook_token=tokens.get(announced["kind"])
            )
            self.stdout.write(
                f"Simulator {announced['kind']:<9} {announced['base_url']}  → account “{account.name}”"
            )
            expected -= 1
        self.seed_provisioning()
        # keep draining its output so the pipe never fills up and blocks the simulators
        threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()

    def seed_provisioning(self) -> None:
        """The demo's provisioning rules, once: BioStar's access groups are read first so the
        rules can grant them."""
        biostar = VendorAccount.objects.filter(name__startswith="Demo ", kind="biostar").first()
        if biostar is not None and not ProvisioningRule.objects.exists():
            read_access_groups(biostar)
        for rule in seed_rules():
            self.stdout.write(f"Provisioning rule “{rule.name}”: {rule.who}")

    def first_sync(self) -> None:
        """Pull every demo account once now; after that beat keeps each stream on its schedule."""
        for account in VendorAccount.objects.filter(enabled=True, name__startswith="Demo "):
            dispatch.pull_account(account.pk)  # autocommit here: sent at once
