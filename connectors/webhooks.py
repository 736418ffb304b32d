"""How a vendor calls Workgate back: a protocol each webhook-sending vendor implements.

Plain Python over a headers mapping and the body bytes, so the portal's one webhook view can ask
any vendor's protocol to authenticate a request and to say which streams its event touches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field


class WebhookRejected(Exception):
    """A request that is not a genuine delivery; ``status`` is the HTTP answer to give."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebhookCall:
    """A delivery whose secret matched: its id (the same on a redelivery), event and body."""

    delivery_id: str
    event: str
    payload: dict = field(default_factory=dict)


class WebhookProtocol:
    """One vendor's webhook conventions. Subclasses implement :meth:`authenticate`."""

    #: the account secret (a credential name) that deliveries must carry
    secret_name: str = "webhook_secret"
    #: where, in the vendor's console, the address is entered (shown beside the address)
    setup_hint: str = ""
    #: event -> streams to pull; events not listed are stored and otherwise ignored
    event_streams: Mapping[str, tuple[str, ...]] = {}

    def authenticate(self, headers: Mapping[str, str], body: bytes, secret: str) -> WebhookCall:
        """Return the delivery, or raise :class:`WebhookRejected`. ``secret`` is the account's."""
        raise NotImplementedError

    def streams_for(self, event: str) -> tuple[str, ...]:
        return tuple(self.event_streams.get(event, ()))

    @staticmethod
    def json_body(body: bytes) -> dict:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            raise WebhookRejected(400, "Body is not JSON.") from None
        if not isinstance(payload, dict):
            raise WebhookRejected(400, "Body is not a JSON object.")
        return payload
