"""Sync's tasks are queued by name, on their queue, only once the transaction commits."""

import logging

import pytest
from django.db import transaction

from portal.celery import app as celery_app
from portal.sync import dispatch
from tests.portal.sync.conftest import broker_at

pytestmark = pytest.mark.django_db


def test_every_task_dispatch_sends_exists_and_goes_to_its_routed_queue():
    celery_app.loader.import_default_modules()  # what a worker does at start
    router = celery_app.amqp.router
    for name, queue in dispatch.QUEUES.items():
        assert name in celery_app.tasks, name
        assert router.route({}, name)["queue"].name == queue, name


def test_a_task_is_sent_when_the_transaction_commits(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.pull_for_webhook(7, "punches")
        dispatch.drain_outbox()
        assert broker() == []  # not before the commit
    assert broker() == [
        ("portal.sync.tasks.pull_for_webhook", (7, "punches"), "sync"),
        ("portal.sync.tasks.push_outbox", (), "push"),
    ]


def test_a_rolled_back_transaction_sends_nothing(broker, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        dispatch.check_connection(7)
        raise RuntimeError("the request failed after queueing")
    assert broker() == []


def test_an_unreachable_broker_does_not_fail_the_change(django_capture_on_commit_callbacks, caplog):
    with (
        broker_at("redis://127.0.0.1:9/0"),  # nothing listens there
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch.pull_account(7)
    assert "could not queue portal.sync.tasks.pull_account(7,)" in caplog.text
