"""The interpreter during pulls: the collector frozen for the outermost, young thresholds as the
pulls ask, a shorter switch interval; all restored when the last pull ends."""

import gc
import sys

from portal.sync.runtime import PULL_SWITCH_INTERVAL, tuned_for_pull


def test_the_largest_young_threshold_asked_holds_until_its_pull_ends():
    default = gc.get_threshold()
    with tuned_for_pull():
        assert gc.get_threshold() == default
        with tuned_for_pull(young=50_000):
            with tuned_for_pull(young=20_000):
                assert gc.get_threshold() == (50_000, *default[1:])
            assert gc.get_threshold() == (50_000, *default[1:])
        assert gc.get_threshold() == default
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == default
    assert gc.get_freeze_count() == 0


def test_thresholds_return_however_the_pull_ends():
    default = gc.get_threshold()
    try:
        with tuned_for_pull(young=50_000):
            raise KeyError
    except KeyError:
        pass
    assert gc.get_threshold() == default


def test_the_switch_interval_is_shorter_until_the_last_pull_ends_however_it_ends():
    before = sys.getswitchinterval()
    try:
        with tuned_for_pull():
            with tuned_for_pull(young=50_000):
                assert sys.getswitchinterval() == PULL_SWITCH_INTERVAL < before
            assert sys.getswitchinterval() == PULL_SWITCH_INTERVAL
            raise KeyError
    except KeyError:
        pass
    assert sys.getswitchinterval() == before
