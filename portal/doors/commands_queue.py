"""Queueing door work on the ``doors`` queue, by task name, after the commit.

The same pattern as :mod:`portal.sync.dispatch` (doors sits below sync and may not import it):
a task is sent only once the command row it acts on is committed, and an unreachable broker
never fails the click; beat's door tick picks up what was not sent (and an expired command is
then refused, never sent late).
"""

from __future__ import annotations

from portal.core import queueing

SEND_COMMAND = "portal.sync.tasks.send_door_command"
DOOR_TICK = "portal.doors.tasks.door_tick"

#: the queue of each task sent from here (tests check these agree with CELERY_TASK_ROUTES)
QUEUES = {SEND_COMMAND: "doors", DOOR_TICK: "doors"}


def send_on_commit(name: str, *args) -> None:
    queueing.send_on_commit(name, QUEUES[name], *args, fallback="the door tick")


def send_command(command_id: int) -> None:
    send_on_commit(SEND_COMMAND, command_id)
