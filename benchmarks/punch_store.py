"""The portal's own punch store rate, whether it stays flat as the table grows, and its disk writes.

Pages of 1,000 BioTime punches of a 5,000-person company go through what the pull does with
them (:func:`portal.sync.pull.pull_stream`): a read-ahead thread prepares each page (rows, fit,
records encoded and packed), the pull's :func:`portal.sync.batching.batches` group them into
transactions, and ``PunchWriter.store_batch`` writes them (insert, announce, mark dirty days).
Timed after the table was bulk-loaded to 100,000 punches, again to 5,000,000, and at 100,000 once
more, the table emptied and loaded anew (on PostgreSQL by SQL with its indexes built after; on
SQLite the same, its records packed in Python either way). No HTTP: the vendor's pace is the pull
benchmark's business.

Disk written per stored punch: the ``write_bytes`` of this process (``/proc/self/io``: on SQLite
it writes the WAL and checkpoints the file itself, a checkpoint before and after the store), plus
on PostgreSQL the ``write_bytes`` of the server's processes (backends, WAL writer, checkpointer; a CHECKPOINT before and after the store
flushes what it dirtied), with the WAL written (its position moved) and the file growth beside it.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.figures import database, record
from benchmarks.harness import throwaway_database

PEOPLE = 5_000
PAGE = 1_000
PUNCHES_A_DAY = 4  # in, break out, break in, out
SIZES = (100_000, 5_000_000)
#: measurements at each size (the rate printed is their median)
ROUNDS = 3
FIRST_DAY = datetime(2024, 1, 1, tzinfo=UTC)


def punch_times(index: int) -> tuple[int, datetime, str]:
    """The ``index``-th punch of the company, in time order: (person number, instant, direction)."""
    day, rest = divmod(index, PEOPLE * PUNCHES_A_DAY)
    slot, person = divmod(rest, PEOPLE)
    hour = (7, 12, 12, 16)[slot]
    minute = (person * 7 + day) % 60 if slot in (0, 3) else (30 if slot == 2 else 0)
    at = FIRST_DAY + timedelta(days=day, hours=hour, minutes=minute, seconds=person % 60)
    return person, at, ("in", "break_out", "break_in", "out")[slot]


def raw_of(index: int, person: int, at: datetime) -> dict:
    """A BioTime transaction as the API sends it (~500 bytes of JSON)."""
    local = f"{at:%Y-%m-%d %H:%M:%S}"
    return {
        "id": index + 1,
        "emp": person + 1,
        "emp_code": f"{person + 1:06d}",
        "first_name": "Anna",
        "last_name": "Albers",
        "department": "Production",
        "position": "Operator",
        "punch_time": local,
        "punch_state": "0",
        "punch_state_display": "Check In",
        "verify_type": 1,
        "verify_type_display": "Fingerprint",
        "work_code": "0",
        "gps_location": None,
        "area_alias": "Hamburg",
        "terminal_sn": f"CQZ7{person % 9:05d}",
        "temperature": "0.0",
        "terminal_alias": f"Hamburg gate {person % 9}",
        "upload_time": local,
    }


def setup_company():
    """An account, its 9 terminals and 5,000 linked people."""
    from django.contrib.contenttypes.models import ContentType

    from portal.devices.models import Device
    from portal.people.models import Person
    from portal.sync.models import ExternalLink, VendorAccount

    account = VendorAccount.objects.create(kind="biotime", name="Bench BioTime", base_url="")
    devices = Device.objects.bulk_create(
        Device(account=account, vendor_id=f"CQZ7{n:05d}", name=f"Hamburg gate {n}")
        for n in range(9)
    )
    people = Person.objects.bulk_create(
        Person(first_name="Anna", last_name=f"Albers {n}", employee_code=f"{n + 1:06d}")
        for n in range(PEOPLE)
    )
    kind = ContentType.objects.get_for_model(Person)
    ExternalLink.objects.bulk_create(
        ExternalLink(
            account=account,
            content_type=kind,
            object_id=person.pk,
            vendor_id=str(n + 1),
            vendor_code=f"{n + 1:06d}",
        )
        for n, person in enumerate(people)
    )
    return account, [p.pk for p in people], [d.pk for d in devices]


# The bulk load generates the same punches as punch_times() in SQL: millions of rows in a minute
# or two, where building them in Python would take longer than the measurement. Their records
# (raw_of) are packed in Python as the pull packs them (no database can compress against our
# dictionary), into a table the insert joins.
PUNCH_SQL = """
    {account}, 'vendor', CAST(n.i + 1 AS TEXT), {person_base} + person, CAST(person + 1 AS TEXT),
    {at}, CASE slot WHEN 0 THEN 'in' WHEN 1 THEN 'break_out' WHEN 2 THEN 'break_in' ELSE 'out' END,
    {device_base} + person %% 9, r.raw, {local}, 'Europe/Berlin', {at}, '', ''
"""
#: i: the punch's number; day, slot (in, break out, break in, out) and person derived from it
NUMBERED = """SELECT i, i / {per_day} AS day, (i %% {per_day}) / {people} AS slot,
    i %% {people} AS person FROM {series}"""
EPOCH = """{first} + day * 86400 + (CASE slot WHEN 0 THEN 7 WHEN 3 THEN 16 ELSE 12 END) * 3600
    + (CASE WHEN slot IN (0, 3) THEN (person * 7 + day) %% 60 WHEN slot = 2 THEN 30 ELSE 0 END)
    * 60 + person %% 60"""
#: the packed records of the punches being loaded, by punch number
RAW_TABLE = "bench_punch_raw"


def bulk_load_sql(vendor: str, account_id: int, person_base: int, device_base: int) -> str:
    epoch = EPOCH.format(first=int(FIRST_DAY.timestamp()))
    if vendor == "postgresql":
        at = f"to_timestamp({epoch})"
        local = f"to_char(to_timestamp({epoch}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
        series = "generate_series(%s, %s - 1) AS i"
    else:
        at = f"datetime({epoch}, 'unixepoch')"
        local = at
        series = "seq"
    select = PUNCH_SQL.format(
        account=account_id,
        person_base=person_base,
        device_base=device_base,
        at=at,
        local=local,
    )
    numbered = NUMBERED.format(per_day=PEOPLE * PUNCHES_A_DAY, people=PEOPLE, series=series)
    insert = (
        f"INSERT INTO attendance_punch ({', '.join(COLUMNS)}) SELECT {select}"
        f" FROM ({numbered}) AS n JOIN {RAW_TABLE} r ON r.i = n.i"
    )
    if vendor == "postgresql":
        return insert
    return (
        "WITH RECURSIVE seq(i) AS (SELECT %s UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < %s) "
        + insert
    )


def fill_raw_table(cursor, vendor: str, start: int, stop: int) -> None:
    """The packed records of punches ``start`` to ``stop`` into :data:`RAW_TABLE` (emptied)."""
    from portal.core.packed_json import pack

    columns = (
        "i bigint PRIMARY KEY, raw bytea"
        if vendor == "postgresql"
        else "i INTEGER PRIMARY KEY, raw BLOB"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {RAW_TABLE} ({columns})")
    cursor.execute(f"DELETE FROM {RAW_TABLE}")

    def rows():
        for index in range(start, stop):
            person, at, _ = punch_times(index)
            yield index, pack(raw_of(index, person, at))

    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {RAW_TABLE} (i, raw) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
        cursor.execute(f"ANALYZE {RAW_TABLE}")
    else:
        cursor.executemany(f"INSERT INTO {RAW_TABLE} (i, raw) VALUES (%s, %s)", rows())


COLUMNS = (
    "account_id",
    "source",
    "vendor_id",
    "person_id",
    "vendor_person_id",
    "punched_at",
    "direction",
    "device_id",
    "raw",
    "local_time",
    "time_zone",
    "received_at",
    "reason",
    "void_reason",
)


def bulk_load(account_id, people, devices, start, stop) -> None:
    """Fill the punch table fast, indexes built after: what pulls stored over the months before."""
    from django.db import connection, transaction

    assert people == list(range(people[0], people[0] + PEOPLE))
    assert devices == list(range(devices[0], devices[0] + 9))
    sql = bulk_load_sql(connection.vendor, account_id, people[0], devices[0])
    table = "attendance_punch"
    with transaction.atomic(), connection.cursor() as cursor:
        fill_raw_table(cursor, connection.vendor, start, stop)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname NOT LIKE '%%_pkey' AND indexname <> ALL(%s)",
                [table, [name for name, _ in constraints]],
            )
            indexes = cursor.fetchall()
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(sql, [start, stop])
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _, definition in indexes:
                cursor.execute(definition)
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
                " AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("PRAGMA cache_size")
            configured = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the index builds
            cursor.execute(sql, [start, stop])
            for _, create in indexes:
                cursor.execute(create)
            cursor.execute(f"PRAGMA cache_size = {int(configured)}")  # the settings' again
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def prepared_pages(start: int, pages: int) -> list[list]:
    """Pages of PunchRecords after the loaded ones, as the connector hands them to the writer."""
    from connectors.records import PunchRecord

    result = []
    for page in range(pages):
        records = []
        for index in range(start + page * PAGE, start + (page + 1) * PAGE):
            person, at, direction = punch_times(index)
            records.append(
                PunchRecord(
                    str(index + 1),
                    person_code=f"{person + 1:06d}",
                    occurred_at=at,
                    direction=direction,
                    device_id=f"CQZ7{person % 9:05d}",
                    person_id=str(person + 1),
                    raw=raw_of(index, person, at),
                )
            )
        result.append(records)
    return result


def write_bytes(pid: str | int = "self") -> int:
    """Bytes the process sent towards the disk, less those it cancelled by truncating a file
    before they were written back (``cancelled_write_bytes``: a temporary table emptied at
    commit, PostgreSQL's staging of a page, never reaches the disk)."""
    try:
        counters = dict(
            line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines()
        )
    except OSError:
        return 0
    return int(counters.get("write_bytes", 0)) - int(counters.get("cancelled_write_bytes", 0))


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (here: the PostgreSQL backend serving this one)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class DiskMeter:
    """Bytes written by this process and, on PostgreSQL, by the server's processes."""

    def __init__(self, var_dir: str):
        from django.db import connection

        self.connection = connection
        self.var_dir = Path(var_dir)
        self.postgres = connection.vendor == "postgresql"

    def server_pids(self) -> list[int]:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity")
            pids = {row[0] for row in cursor.fetchall()}
        parents = {int(Path(f"/proc/{pid}/stat").read_text().split()[3]) for pid in pids}
        return sorted(pids | parents)  # the postmaster too

    def reading(self) -> dict:
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("CHECKPOINT")
                # the WAL's position, not pg_stat_wal (a backend adds to that a second late)
                cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
                wal = int(cursor.fetchone()[0])
                cursor.execute("SELECT pg_database_size(current_database())")
                size = cursor.fetchone()[0]
                server = sum(write_bytes(pid) for pid in self.server_pids())
                cursor.execute("SELECT pg_backend_pid()")
                backend_cpu = cpu_seconds(cursor.fetchone()[0])
            else:
                # what the store left in the WAL is written to the file too: count it here
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                wal = 0
                size = sum(f.stat().st_size for f in self.var_dir.glob("workgate.sqlite3*"))
                server = backend_cpu = 0
        # what the checkpoint (and a bulk load before it) left to the kernel reaches the disk now,
        # not while the store is timed
        os.sync()
        return {
            "self": write_bytes(),
            "server": server,
            "wal": wal,
            "size": size,
            "backend_cpu": backend_cpu,
        }


def measure(writer, pages, meter: DiskMeter) -> dict:
    """Store ``pages`` as :func:`portal.sync.pull.pull_stream` does: the interpreter tuned for a
    pull, a read-ahead thread preparing pages (fit rows, encode and pack their records) while
    this one stores them, grouped into the pull's transactions."""
    from django.db import transaction

    from connectors.paging import prefetch
    from connectors.records import Page
    from portal.sync.batching import PAGES_AHEAD, batches, prepared_pages
    from portal.sync.runtime import tuned_for_pull

    before = meter.reading()
    with tuned_for_pull(writer.young_collections):
        cpu, start = time.process_time(), time.perf_counter()
        ready = prefetch(
            prepared_pages(writer, (Page(records) for records in pages)), depth=PAGES_AHEAD
        )
        for batch in batches(ready, waiting=ready.waiting):
            with transaction.atomic():
                writer.store_batch([page.prepared for page in batch])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    after = meter.reading()
    return {
        "seconds": seconds,
        "cpu": cpu,
        **{k: after[k] - before[k] for k in before},
    }


def empty_punches() -> None:
    """The punch table emptied (and the day marks its stores left), for a smaller size again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE attendance_punch, attendance_dirtyday")
        else:
            cursor.execute("DELETE FROM attendance_punch")
            cursor.execute("DELETE FROM attendance_dirtyday")


def store_rounds(account, loaded: int, measured_pages: int, meter: DiskMeter):
    """:data:`ROUNDS` measurements of the company's punches right after the ``loaded`` ones:
    their rates, their figures summed, and the punches stored after them."""
    from portal.sync.mirror.attendance import PunchWriter
    from portal.sync.models import SyncRun

    figures, rates = {}, []
    for _ in range(ROUNDS):
        pages = prepared_pages(loaded, measured_pages)
        run = SyncRun.objects.create(account=account, stream="punches")
        writer = PunchWriter(account, run)
        writer.people, writer.devices  # noqa: B018  the per-run lookups, loaded once
        measured = measure(writer, pages, meter)
        assert run.created == measured_pages * PAGE, (run.created, run.unchanged)
        loaded += run.created
        rates.append(run.created / measured["seconds"])
        figures = {k: figures.get(k, 0) + v for k, v in measured.items()}
    return rates, figures, loaded


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    small, large = (20_000, 200_000) if quick else SIZES
    measured_pages = 10 if quick else 40
    with throwaway_database() as var_dir:
        from portal.attendance.models import Punch

        account, people, devices = setup_company()
        meter = DiskMeter(var_dir)
        print(
            f"punch store on {database()}: {PEOPLE:,} people, pages of {PAGE:,},"
            f" {ROUNDS} rounds of {measured_pages * PAGE:,} punches per measurement; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        # The small size is measured again after the large, on the table emptied and loaded
        # anew: this machine's speed drifts by a third over minutes (the same code measured
        # 27,000 and 44,000 a second at 100,000 on two runs), and the large size's load takes
        # two. Measured on both sides of it, the drift is in both sizes' figures, not in one.
        loaded, rounds, sums, stored = 0, {}, {}, {}
        for size in (small, large, small):
            if size < loaded:
                empty_punches()
                loaded = 0
            start = time.perf_counter()
            bulk_load(account.pk, people, devices, loaded, size)
            print(f"  bulk-loaded to {size:,} punches in {time.perf_counter() - start:.0f} s")
            rates, figures, loaded = store_rounds(account, size, measured_pages, meter)
            print(f"  at {size:,}: rounds {', '.join(f'{r:,.0f}' for r in rates)} a second")
            rounds[size] = rounds.get(size, []) + rates
            sums[size] = {k: sums.get(size, {}).get(k, 0) + v for k, v in figures.items()}
            stored[size] = stored.get(size, 0) + len(rates) * measured_pages * PAGE
        goal = 30_000 if database() == "postgresql" else 20_000
        for size in (small, large):
            rate, figures, count = statistics.median(rounds[size]), sums[size], stored[size]
            record(
                f"punch store rate at {size:,} stored punches",
                rate,
                "punches/s",
                f">= {goal:,}",
                rate >= goal,
                note=f"{count / figures['cpu']:,.0f} punches per CPU-second"
                + (
                    f" here, {figures['backend_cpu'] / count * 1e6:.1f} us of server CPU a punch"
                    if figures["backend_cpu"]
                    else ""
                )
                + f"; median of rounds {', '.join(f'{r:,.0f}' for r in rounds[size])};"
                + f" load {os.getloadavg()[0]:.2f}",
            )
            detail = f"this process {figures['self'] / count:,.0f} B"
            if figures["server"] or figures["wal"]:
                detail += (
                    f", server processes {figures['server'] / count:,.0f} B"
                    f" (WAL {figures['wal'] / count:,.0f} B)"
                )
            detail += f", database growth {figures['size'] / count:,.0f} B"
            disk = (figures["self"] + figures["server"]) / count
            record(
                f"disk written per stored punch at {size:,}",
                disk / 1024,
                "KB",
                "<= 2",
                disk <= 2048,
                note=detail,
            )
        ratio = statistics.median(rounds[large]) / statistics.median(rounds[small])
        record(
            f"punch store rate at {large:,} / at {small:,}",
            ratio,
            "x",
            ">= 0.80 (flat within 20%)",
            ratio >= 0.8,
            note=f"{sum(stored.values()):,} punches stored; {Punch.objects.count():,} now",
        )


if __name__ == "__main__":
    main(sys.argv[1:])
