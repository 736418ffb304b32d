"""The collector during pulls: frozen for the outermost, young thresholds as the pulls ask."""

import gc

from portal.sync.gc_pause import fewer_collections


def test_the_largest_young_threshold_asked_holds_until_its_pull_ends():
    default = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == default
        with fewer_collections(young=50_000):
            with fewer_collections(young=20_000):
                assert gc.get_threshold() == (50_000, *default[1:])
            assert gc.get_threshold() == (50_000, *default[1:])
        assert gc.get_threshold() == default
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == default
    assert gc.get_freeze_count() == 0


def test_thresholds_return_however_the_pull_ends():
    default = gc.get_threshold()
    try:
        with fewer_collections(young=50_000):
            raise KeyError
    except KeyError:
        pass
    assert gc.get_threshold() == default
