"""Pages grouped into batches: what is waiting, up to a number of rows, and what was read is handed
out before an error."""

import pytest

from portal.sync.batching import batches


def test_pages_are_grouped_until_the_batch_holds_enough_rows():
    pages = [[1] * 40, [2] * 40, [3] * 40, [4] * 40, [5] * 10]
    grouped = list(batches(pages, rows=100, size=len))
    assert [[page[0] for page in batch] for batch in grouped] == [[1, 2, 3], [4, 5]]


def test_a_batch_is_handed_out_as_soon_as_no_page_is_waiting():
    arrived = [True, True, False, True, False, False]  # after each page: is the next one in hand?
    pages = iter(range(6))
    waits = iter(arrived)

    grouped = list(batches(pages, rows=1_000, waiting=lambda: next(waits), size=lambda page: 1))

    # a slow vendor's page is stored alone, as it arrives; pages that piled up go together
    assert grouped == [[0, 1, 2], [3, 4], [5]]


def test_pages_waiting_behind_a_full_batch_start_the_next_one():
    grouped = list(batches(range(5), rows=2, waiting=lambda: True, size=lambda page: 1))

    assert grouped == [[0, 1], [2, 3], [4]]


def test_pages_read_before_a_vendor_error_come_out_before_the_error():
    class VendorFailed(Exception):
        pass

    def failing_pages():
        yield [1]
        yield [2]
        raise VendorFailed

    handed_out = []
    with pytest.raises(VendorFailed):
        for batch in batches(failing_pages(), rows=100, size=len):
            handed_out.append(batch)
    assert handed_out == [[[1], [2]]]


def test_near_the_end_of_a_read_of_known_size_batches_shrink_to_the_last_page():
    # ten pages of 10 rows; each page says how many rows are still to come after it
    pages = [(n, 100 - 10 * n) for n in range(1, 11)]

    grouped = list(batches(pages, rows=50, size=lambda page: 10, remaining=lambda page: page[1]))

    # a full batch, then each batch holds at least what is still to come: the vendor's last page
    # is stored alone, not with a batch gathered while it was awaited
    assert [[n for n, _ in batch] for batch in grouped] == [[1, 2, 3, 4, 5], [6, 7, 8], [9], [10]]


def test_without_a_size_told_pages_are_grouped_by_rows_alone():
    pages = [(n, None) for n in range(1, 11)]

    grouped = list(batches(pages, rows=50, size=lambda page: 10, remaining=lambda page: page[1]))

    assert [[n for n, _ in batch] for batch in grouped] == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
