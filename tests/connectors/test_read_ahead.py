"""The read-ahead (connectors.paging.prefetch): items in order, fetched by a helper thread, and
whether the next one is already in hand."""

import gc
import threading
import time

import pytest

from connectors.paging import prefetch
from tests.waiting import wait_until


def test_items_come_in_order_and_an_error_after_those_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("the vendor failed")

    read = prefetch(items(), depth=2)
    taken = []
    with pytest.raises(ValueError, match="the vendor failed"):
        for item in read:
            taken.append(item)
    assert taken == [1, 2]


def test_waiting_tells_whether_the_next_item_is_in_hand():
    release = threading.Event()

    def items():
        yield "first"
        release.wait(5)  # the vendor is slow with the second page
        yield "second"

    read = prefetch(items(), depth=4)
    assert next(read) == "first"
    assert not read.waiting()  # nothing in hand: a caller gathering pages stores what it has

    release.set()
    assert wait_until(read.waiting)
    assert next(read) == "second"
    assert wait_until(read.waiting)  # the end is in hand too
    assert list(read) == []


def test_a_reader_that_stops_early_stops_the_helper():
    produced = []

    def items():
        for n in range(1_000):
            produced.append(n)
            yield n

    read = prefetch(items(), depth=2)
    assert next(read) == 0
    read.close()
    count = len(produced)
    time.sleep(0.5)
    assert len(produced) == count <= 4  # the one taken, the depth queued, the one it was on


def test_a_reader_dropped_part_way_stops_the_helper_at_once():
    """Dropping the reader ends the helper there and then, not whenever the garbage collector
    next runs (a reference cycle once left it waiting, and then joined it from its own thread)."""

    def items():
        yield from range(1_000)

    before = set(threading.enumerate())
    read = prefetch(items(), depth=2)
    assert next(read) == 0
    (helper,) = set(threading.enumerate()) - before
    gc.disable()  # only reference counting may end it
    try:
        del read
        assert wait_until(lambda: not helper.is_alive(), timeout=2)
    finally:
        gc.enable()
