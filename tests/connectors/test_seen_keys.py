"""SeenKeys answers exactly as a set of the keys would (it only holds them more compactly)."""

from hypothesis import given
from hypothesis import strategies as st

from connectors.paging import SeenKeys

keys = st.one_of(
    st.integers(0, 80).map(str),  # ids close together: runs that grow, join and split gaps
    st.integers(0, 9).map(lambda n: f"0{n}"),  # leading zeros are other keys than "7"
    st.text(max_size=3),
)


@given(st.lists(keys, max_size=300))
def test_seen_keys_tells_new_from_repeated_as_a_set_does(sequence):
    seen, reference = SeenKeys(), set()
    for key in sequence:
        assert seen.add(key) is (key not in reference), key
        reference.add(key)


def test_a_read_in_id_order_is_held_as_one_run():
    seen = SeenKeys()
    assert all(seen.add(str(n)) for n in range(1, 100_001))
    assert not seen.add("50000") and not seen.add("1") and seen.add("100002")
    assert seen.add("100001")  # fills the gap: the runs join again
    assert (seen._starts, seen._ends) == ([1], [100_002])
