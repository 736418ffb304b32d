"""Settings, Celery and the production layout: what must hold before anything runs."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings

from portal.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def test_celery_is_configured_for_at_least_once_idempotent_work():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    # a task must finish before Redis redelivers it, wherever Celery reads the timeout
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.result_backend_transport_options["visibility_timeout"] > conf.task_time_limit


def test_each_queue_has_its_own_routing_key_so_tasks_are_not_duplicated():
    queues = {q.name: q for q in celery_app.conf.task_queues}
    assert set(queues) == {"celery", "sync", "push", "doors"}
    assert len({q.routing_key for q in queues.values()}) == 4
    router = celery_app.amqp.router
    assert router.route({}, "portal.sync.tasks.pull_stream")["queue"].name == "sync"
    assert router.route({}, "portal.sync.tasks.push_outbox")["queue"].name == "push"


def test_every_task_route_names_a_tasks_module_that_exists():
    for pattern in settings.CELERY_TASK_ROUTES:
        module = pattern.rsplit(".", 1)[0]
        assert _module_exists(module), f"{pattern} routes tasks of a module that does not exist"


def test_beat_schedules_the_worker_heartbeat():
    assert (
        settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]["task"] == "portal.core.tasks.heartbeat"
    )
    celery_app.loader.import_default_modules()  # what a worker does at start
    assert "portal.core.tasks.heartbeat" in celery_app.tasks


def test_every_task_beat_schedules_is_registered():
    celery_app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, f"beat entry {name} names no task"


def _module_exists(dotted: str) -> bool:
    return importlib.util.find_spec(dotted) is not None


def test_docker_compose_services_point_at_modules_that_exist():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"db", "redis", "web", "worker", "beat", "flower"} <= set(services)
    for name in ("web", "worker", "beat", "flower", "migrate", "doors-worker"):
        command = services[name]["command"]
        if command[0] == "gunicorn":
            module, attr = command[1].split(":")
            assert _module_exists(module)
            assert hasattr(importlib.import_module(module), attr)
        elif command[0] == "celery":
            app_module = command[command.index("-A") + 1]
            assert _module_exists(f"{app_module}.celery")
            if "--scheduler" in command:
                scheduler = command[command.index("--scheduler") + 1].split(":")[0]
                assert _module_exists(scheduler)
        else:
            assert command[:2] == ["python", "manage.py"]
    assert services["web"]["environment"]["WORKGATE_ENV"] == "production"


def test_production_settings_pass_the_deploy_check():
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for themselves; a deployment never does
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "WORKGATE_ENV": "production",
        "SECRET_KEY": "k3y-" + "a9Z%x" * 12,
        "FIELD_ENCRYPTION_KEYS": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "ALLOWED_HOSTS": "workgate.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS"}}
    env["WORKGATE_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_an_invalid_encryption_key_stops_startup_with_one_clear_line():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "WORKGATE_ENV": "production",
        "SECRET_KEY": "k3y-" + "a9Z%x" * 12,
        "FIELD_ENCRYPTION_KEYS": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,not-a-fernet-key",
        "ALLOWED_HOSTS": "workgate.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "FIELD_ENCRYPTION_KEYS: key 2 of 2 is not a Fernet key (32 url-safe base64-encoded bytes); "
        'generate one with `python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"`.'
    ]
    assert "not-a-fernet-key" not in result.stderr  # a key is never echoed
