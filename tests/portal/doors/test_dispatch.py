"""Door work goes on the doors queue, by name, once the command row is committed."""

import pytest
from django.db import transaction

from portal.celery import app as celery_app
from portal.doors import commands_queue
from portal.doors.commands import request_command
from tests.portal.doors.conftest import door

pytestmark = pytest.mark.django_db


def test_every_door_task_exists_and_is_routed_to_the_doors_queue():
    celery_app.loader.import_default_modules()  # what a worker does at start
    router = celery_app.amqp.router
    for name, queue in commands_queue.QUEUES.items():
        assert queue == "doors"
        assert name in celery_app.tasks, name
        assert router.route({}, name)["queue"].name == "doors", name


def test_a_command_is_queued_on_doors_after_the_commit(
    biostar, doors, user_with_role, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        command = request_command(door(biostar), "lock", "night", user_with_role("security"))
        assert broker() == []
    assert broker() == [("portal.sync.tasks.send_door_command", (command.pk,), "doors")]


def test_a_rolled_back_click_queues_nothing(
    biostar, doors, user_with_role, broker, django_capture_on_commit_callbacks
):
    user = user_with_role("security")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        request_command(door(biostar), "lock", "night", user)
        raise RuntimeError("the request failed after queueing")
    assert broker() == []


def test_beat_runs_the_door_tick_on_the_doors_queue():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["door-tick"]["task"] == commands_queue.DOOR_TICK
    assert settings.CELERY_BEAT_SCHEDULE["door-tick"]["schedule"] <= 10
