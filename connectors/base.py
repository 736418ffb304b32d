"""What every vendor connector offers, whatever the vendor."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import ClassVar

import httpx

from connectors.client import ClientOptions
from connectors.records import Capabilities, ServerIdentity


class Connector:
    """One vendor account's API as canonical records.

    Reads are generators of :class:`connectors.records.Page` (records plus the cursor to resume
    after them); writes take and return canonical records; ``capabilities`` says which of these
    the vendor supports so callers never guess.
    """

    kind: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

    def __init__(
        self,
        base_url: str,
        credentials: Mapping[str, str],
        options: ClientOptions | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url
        self.credentials = dict(credentials)
        self.options = options or ClientOptions()
        self.transport = transport
        self.sleep = sleep

    def check(self) -> ServerIdentity:
        """Log in and read something small: proves address, credentials and licence."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):  # credentials stay out of logs and tracebacks
        return f"<{type(self).__name__} {self.base_url}>"
