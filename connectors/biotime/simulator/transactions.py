"""Punches (``iclock`` transactions), stored so that a page costs work proportional to its size.

Transaction ids are given in upload order, so ``upload_time`` never decreases with the id, while
``punch_time`` may be up to ``max_late`` earlier (device offline) or ``max_ahead`` later (device
clock ahead) than ``upload_time``. A punch-time window therefore becomes a binary search on
upload time plus a scan of the two fringes where the bound is not sure.

Two kinds of segment hold punches: ``ListSegment`` (the demo history and everything uploaded
since, as compact tuples) and ``GeneratedSegment`` (``large()``: record ``i`` is computed from
``i`` alone, nothing held in memory).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Iterator, Sequence
from typing import NamedTuple

_MASK = (1 << 64) - 1


def mix(seed: int, i: int) -> int:
    """splitmix64: a cheap deterministic hash of (seed, i)."""
    z = (i * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9 + 0x632BE59BD9B4E019) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


class Punch(NamedTuple):
    upload_ts: int  # epoch seconds
    punch_ts: int  # epoch seconds, as the device's clock saw it
    emp_code: str  # as the device sent it
    emp_pk: int | None  # the employee it was matched to on upload
    terminal_id: int
    punch_state: int  # 0 in, 1 out, 2 break out, 3 break in, 4 overtime in, 5 overtime out, 255
    verify_type: int  # 0 password, 1 fingerprint, 4 card, 15 face
    temperature: int  # tenths of a degree, 0 when the device measured nothing


class SliceView(Sequence[int]):
    """``seq[start:stop]`` without copying."""

    __slots__ = ("seq", "start", "stop")

    def __init__(self, seq: Sequence[int], start: int, stop: int):
        self.seq, self.start, self.stop = seq, start, max(start, stop)

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, j):  # ints only: that is all bisect and paging need
        if not 0 <= j < self.stop - self.start:
            raise IndexError(j)
        return self.seq[self.start + j]

    def __iter__(self) -> Iterator[int]:
        seq = self.seq
        for j in range(self.start, self.stop):
            yield seq[j]


class PeriodicIndex(Sequence[int]):
    """The indices ``i < n`` with ``i % period`` in ``residues`` (sorted), in order."""

    __slots__ = ("residues", "period", "length")

    def __init__(self, residues: list[int], period: int, n: int):
        self.residues, self.period = residues, period
        full, rest = divmod(n, period)
        self.length = full * len(residues) + bisect_left(residues, rest)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, j):
        if not 0 <= j < self.length:
            raise IndexError(j)
        rounds, k = divmod(j, len(self.residues))
        return rounds * self.period + self.residues[k]


class ListSegment:
    """Punches held as tuples, appended in upload order, indexed by employee code and terminal."""

    def __init__(self):
        self.rows: list[Punch] = []
        self.by_emp: dict[str, list[int]] = defaultdict(list)
        self.by_terminal: dict[int, list[int]] = defaultdict(list)
        self.max_late = 0
        self.max_ahead = 0

    def __len__(self) -> int:
        return len(self.rows)

    def append(self, punch: Punch) -> int:
        if self.rows and punch.upload_ts < self.rows[-1].upload_ts:
            raise ValueError("punches must be appended in upload order")
        index = len(self.rows)
        self.rows.append(punch)
        self.by_emp[punch.emp_code].append(index)
        self.by_terminal[punch.terminal_id].append(index)
        lag = punch.upload_ts - punch.punch_ts
        self.max_late = max(self.max_late, lag)
        self.max_ahead = max(self.max_ahead, -lag)
        return index

    def upload_ts(self, i: int) -> int:
        return self.rows[i].upload_ts

    def punch_ts(self, i: int) -> int:
        return self.rows[i].punch_ts

    def row(self, i: int) -> Punch:
        return self.rows[i]

    def candidates(
        self, emp_code: str | None, terminal_ids: frozenset[int] | None
    ) -> Sequence[int]:
        if emp_code is not None:
            found = self.by_emp.get(emp_code, [])
            if terminal_ids is None:
                return found
            return [i for i in found if self.rows[i].terminal_id in terminal_ids]
        if terminal_ids is not None:
            lists = [self.by_terminal.get(t, []) for t in terminal_ids]
            return lists[0] if len(lists) == 1 else sorted(i for part in lists for i in part)
        return range(len(self.rows))

    def count_for_terminal(self, terminal_id: int) -> int:
        return len(self.by_terminal.get(terminal_id, ()))


class GeneratedSegment:
    """``n`` punches computed from their index, for ``large()``.

    Record ``i`` belongs to employee ``e = i % E`` in round ``r = i // E``; round ``2d`` is the
    check-in of working day ``d`` (uploads spread over 06:00–10:00 UTC) and round ``2d + 1`` its
    check-out (14:00–18:00). Upload time is monotonic in ``i``. About 1 % of punches are
    uploaded 1–6 hours late and 0.5 % come from a device whose clock is up to 10 minutes ahead.
    """

    SPREAD = 4 * 3600
    max_late = 6 * 3600 + 60
    max_ahead = 600

    def __init__(
        self,
        n: int,
        *,
        codes: list[str],
        pks: list[int],
        home_terminals: list[int],
        first_day_ts: int,
        seed: int,
    ):
        self.n = n
        self.period = len(codes)
        self.codes, self.pks, self.home_terminals = codes, pks, home_terminals
        self.first_day_ts = first_day_ts
        self.seed = seed
        self._residue_of_code = {code: e for e, code in enumerate(codes)}
        self._residues_of_terminal: dict[int, list[int]] = defaultdict(list)
        for e, terminal in enumerate(home_terminals):
            self._residues_of_terminal[terminal].append(e)

    @staticmethod
    def days_needed(n: int, employees: int) -> int:
        return -(-n // (2 * employees))

    def __len__(self) -> int:
        return self.n

    def upload_ts(self, i: int) -> int:
        day, rest = divmod(i, 2 * self.period)
        checkout, e = divmod(rest, self.period)
        calendar_day = (day // 5) * 7 + day % 5  # working days only
        start = 50400 if checkout else 21600
        return self.first_day_ts + calendar_day * 86400 + start + e * self.SPREAD // self.period

    def _lag(self, i: int) -> int:
        h = mix(self.seed, i)
        bucket, rest = h % 1000, h >> 10
        if bucket < 10:
            return 3600 + rest % (5 * 3600)  # device was offline
        if bucket < 15:
            return -(60 + rest % 540)  # device clock ahead
        return 2 + rest % 40

    def punch_ts(self, i: int) -> int:
        return self.upload_ts(i) - self._lag(i)

    def row(self, i: int) -> Punch:
        upload = self.upload_ts(i)
        e = i % self.period
        h = mix(self.seed + 1, i)
        verify = (15, 15, 15, 15, 15, 15, 1, 1, 1, 4)[(e * 7) % 10]
        return Punch(
            upload,
            upload - self._lag(i),
            self.codes[e],
            self.pks[e],
            self.home_terminals[e],
            (i // self.period) % 2,
            verify,
            360 + h % 12,
        )

    def candidates(
        self, emp_code: str | None, terminal_ids: frozenset[int] | None
    ) -> Sequence[int]:
        residues: set[int] | None = None
        if emp_code is not None:
            e = self._residue_of_code.get(emp_code)
            residues = {e} if e is not None else set()
        if terminal_ids is not None:
            of_terminals = {e for t in terminal_ids for e in self._residues_of_terminal.get(t, ())}
            residues = of_terminals if residues is None else residues & of_terminals
        if residues is None:
            return range(self.n)
        if not residues:
            return []
        return PeriodicIndex(sorted(residues), self.period, self.n)

    def count_for_terminal(self, terminal_id: int) -> int:
        return len(self.candidates(None, frozenset({terminal_id})))


def window(
    segment, cands: Sequence[int], start: int | None, end: int | None
) -> list[Sequence[int]]:
    """The candidates whose punch time lies in [start, end], as a few sequences in id order."""
    if start is None and end is None:
        return [cands]
    key = segment.upload_ts
    lo = 0 if start is None else bisect_left(cands, start - segment.max_ahead, key=key)
    hi = len(cands) if end is None else bisect_right(cands, end + segment.max_late, key=key)
    if lo >= hi:
        return []
    sure_lo = lo if start is None else bisect_left(cands, start + segment.max_late, lo, hi, key=key)
    sure_hi = hi if end is None else bisect_right(cands, end - segment.max_ahead, lo, hi, key=key)
    punch_ts = segment.punch_ts

    def matching(a: int, b: int) -> list[int]:
        return [
            i
            for i in SliceView(cands, a, b)
            if (start is None or punch_ts(i) >= start) and (end is None or punch_ts(i) <= end)
        ]

    if sure_lo >= sure_hi:
        return [matching(lo, hi)]
    return [matching(lo, sure_lo), SliceView(cands, sure_lo, sure_hi), matching(sure_hi, hi)]


class Selection:
    """A filtered view over the store: ``len()`` and ``page(offset, limit)``."""

    def __init__(self, parts: list[tuple[object, int, Sequence[int]]]):
        self.parts = [(segment, base, seq) for segment, base, seq in parts if len(seq)]
        self.total = sum(len(seq) for _, _, seq in self.parts)

    def __len__(self) -> int:
        return self.total

    def page(self, offset: int, limit: int) -> list[tuple[int, Punch]]:
        out: list[tuple[int, Punch]] = []
        for segment, base, seq in self.parts:
            if offset >= len(seq):
                offset -= len(seq)
                continue
            stop = min(len(seq), offset + limit - len(out))
            for j in range(offset, stop):
                i = seq[j]
                out.append((base + i, segment.row(i)))
            offset = 0
            if len(out) >= limit:
                break
        return out


class TransactionStore:
    """Segments in id order: optionally a generated one, then the list every upload goes to."""

    def __init__(self, generated: GeneratedSegment | None = None):
        self.segments: list[tuple[object, int]] = []  # (segment, id of its first row)
        if generated is not None:
            self.segments.append((generated, 1))
        self.tail = ListSegment()
        self.segments.append((self.tail, 1 + (len(generated) if generated else 0)))
        self._cache: OrderedDict[tuple, Selection] = OrderedDict()

    def __len__(self) -> int:
        return sum(len(segment) for segment, _ in self.segments)

    def append(self, punch: Punch) -> int:
        return self.segments[-1][1] + self.tail.append(punch)

    def last_upload_ts(self) -> int | None:
        for segment, _ in reversed(self.segments):
            if len(segment):
                return segment.upload_ts(len(segment) - 1)
        return None

    def select(
        self,
        emp_code: str | None = None,
        terminal_ids: frozenset[int] | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Selection:
        """Punches matching all given filters, in id order; cached while nothing is uploaded."""
        key = (emp_code, terminal_ids, start, end, len(self.tail))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        parts = []
        for segment, base in self.segments:
            cands = segment.candidates(emp_code, terminal_ids)
            parts.extend((segment, base, seq) for seq in window(segment, cands, start, end))
        selection = Selection(parts)
        self._cache[key] = selection
        while len(self._cache) > 16:
            self._cache.popitem(last=False)
        return selection

    def get(self, transaction_id: int) -> Punch | None:
        for segment, base in self.segments:
            if base <= transaction_id < base + len(segment):
                return segment.row(transaction_id - base)
        return None

    def count_for_terminal(self, terminal_id: int) -> int:
        return sum(segment.count_for_terminal(terminal_id) for segment, _ in self.segments)
