"""A long read run in a forked child process, its pages handed to the pulling process.

Reading a page (HTTP, JSON, mapping, the writer's ``prepare``) costs about as much CPU as storing
it. In threads both took turns under one GIL, so a pull of 200,000 punches could not keep up with
a vendor serving 20,000 rows a second; in a child the reading runs on its own core while the
parent stores. The parent keeps everything that must stay in one place: the transaction, the
cursor, the lease.

``os.fork`` and not ``multiprocessing.Process``: a pull runs inside a Celery prefork worker,
whose pool processes are daemonic and may not start ``multiprocessing`` children. The child was
forked with the parent's database connection: it never queries (``prepare`` reads no database)
and leaves with ``os._exit``, so nothing of the parent's (connections, atexit) is closed by it.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, Pipe
from typing import Any

_PAGE, _END, _ERROR = "page", "end", "error"


class ReaderDied(RuntimeError):
    """The reading process ended without handing over the end of its read (killed, crashed)."""


class ChildReader:
    """The items ``work(send)`` sends from a forked child; :attr:`result` is what ``work``
    returned, once the iteration has ended.

    An exception raised in the child is raised here, in order, after the items sent before it
    (the vendor's errors reach the pull as they did in a thread). If the child dies without a
    word, :class:`ReaderDied` is raised. If the caller stops early, the child is killed.
    """

    def __init__(self, work: Callable[[Callable[[Any], None]], Any]):
        self.work = work
        self.result: Any = None
        self.pid: int | None = None

    def start(self) -> Iterator:
        """Fork the child now, from the calling thread, and return the iterator of its items.

        Forked here, before the caller starts a read-ahead thread over the items, rather than on
        the first ``next()`` from that thread: a lock another thread holds at the fork stays
        held in the child, so the fewer threads running then, the better."""
        receive, send = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            receive.close()
            _run_child(self.work, send)
        self.pid = pid
        send.close()  # only the child's end left: it closing means the child is done
        return self._items(receive)

    def _items(self, receive: Connection) -> Iterator:
        try:
            while True:
                try:
                    kind, payload = receive.recv()
                except EOFError:
                    raise ReaderDied(
                        "The process reading the vendor stopped before the end of the read."
                    ) from None
                if kind == _PAGE:
                    yield payload
                elif kind == _END:
                    self.result = payload
                    return
                else:
                    raise payload
        finally:
            receive.close()
            self._reap()

    def _reap(self) -> None:
        """Wait for the child; one still reading (the caller stopped early) is killed first."""
        try:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done == 0:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped already (a SIGCHLD handler of the host process)
            pass


def _run_child(work: Callable, send: Connection) -> None:
    code = 0
    # What the child inherited stays shared with the parent only while untouched: a collection
    # walking every inherited object would write their headers and copy their pages
    gc.freeze()
    try:
        # The parent's Python handlers (Celery's shutdown) are not the child's to run: it dies
        # of the signal instead. What the parent ignores (a pool process: SIGINT) it ignores too.
        for signum in (signal.SIGTERM, signal.SIGINT):
            if callable(signal.getsignal(signum)):
                signal.signal(signum, signal.SIG_DFL)
        result = work(lambda item: send.send((_PAGE, item)))
        send.send((_END, result))
    except BrokenPipeError:  # the parent has gone: nobody to tell
        code = 1
    except BaseException as exc:  # handed to the parent, who decides
        code = 1
        try:
            send.send((_ERROR, exc))
        except Exception:  # the exception would not pickle: its text still tells what happened
            try:
                send.send((_ERROR, RuntimeError(f"{type(exc).__name__}: {exc}")))
            except Exception:
                pass
    finally:
        os._exit(code)
