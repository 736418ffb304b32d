"""Reading many records by id at once (a push batch's people): the vendor's list in pages, or
the record's own GET one by one, whichever costs fewer requests."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from typing import Any

from connectors import errors

log = logging.getLogger(__name__)
#: rows asked a page when a batch reads a vendor's list (neither document caps it lower)
LIST_PAGE = 1000
#: seconds the list's size, as last read, decides alone; after that a first page tells again
SIZE_KEPT_FOR = 600.0


@dataclass(frozen=True)
class ListedPage:
    rows: list[Any]
    total: int | None  # rows in the whole list, as the page says (None: it does not say)


class ReadByIds:
    """One connector's reads of records by id.

    ``list_pages()`` pages the vendor's list from the start (a generator: it is closed as soon
    as it is no longer worth reading), ``row_id(row)`` is a listed row's id and ``get_one(id)``
    the record's own read, raising :class:`~connectors.errors.NotFoundError` when the vendor has
    no such record (its row is then None).
    """

    def __init__(
        self,
        list_pages: Callable[[], Generator[ListedPage]],
        row_id: Callable[[Any], str | None],
        get_one: Callable[[str], Any | None],
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.list_pages, self.row_id, self.get_one, self.clock = list_pages, row_id, get_one, clock
        self._size: tuple[int, int, float] | None = None  # (rows listed, rows a page, when)

    def rows(self, ids: Iterable[str]) -> dict[str, Any | None]:
        """Each id's row (None: the vendor has none). The list is read while its pages still to
        come are fewer than the ids not found yet; an id it does not show is read by itself,
        since a list may hide records (BioTime's resigned employees) and rows can shift between
        pages while someone else adds or deletes records."""
        wanted = list(dict.fromkeys(str(vendor_id) for vendor_id in ids))
        listed = self._from_list(wanted) if self._list_is_cheaper(len(wanted)) else {}
        return {i: listed[i] if i in listed else self._one(i) for i in wanted}

    def _one(self, vendor_id: str) -> Any | None:
        try:
            return self.get_one(vendor_id)
        except errors.NotFoundError:
            return None

    def _list_is_cheaper(self, wanted: int) -> bool:
        if wanted < 2:
            return False
        if self._size is None or self.clock() - self._size[2] > SIZE_KEPT_FOR:
            return True  # its first page tells the size: then it goes on or stops
        listed, per_page, _ = self._size
        return pages_for(listed, per_page) < wanted

    def _from_list(self, wanted: list[str]) -> dict[str, Any]:
        missing, found = set(wanted), {}
        seen = per_page = 0
        pages = self.list_pages()
        try:
            for page in pages:
                per_page = per_page or len(page.rows)  # a server may cap the size asked for
                seen += len(page.rows)
                for row in page.rows:
                    key = self.row_id(row)
                    if key in missing:
                        found[key] = row
                        missing.discard(key)
                if page.total is None or not per_page:
                    break  # how much is left is not known: the rest one by one
                self._size = (page.total, per_page, self.clock())
                if not missing or pages_for(page.total - seen, per_page) >= len(missing):
                    break
        except errors.ProtocolError as exc:
            # a list that repeats a page or answers unusably: the records' own reads still work
            log.warning("Listing failed (%s); %d records are read one by one", exc, len(missing))
        finally:
            pages.close()
        return found


def pages_for(rows: int, per_page: int) -> int:
    """Pages holding ``rows`` rows, ``per_page`` a page."""
    return max(0, -(-rows // max(per_page, 1)))
