"""How a vendor calls Workgate back: a protocol each webhook-sending vendor implements.

Plain Python over a headers mapping and the body bytes, so the portal's one webhook view can ask
any vendor's protocol to authenticate a request and to say which streams its event touches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

#: what a delivery may be: larger or deeper bodies are refused before they cost anything
MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 32
#: what the portal stores of a delivery's headers (longer ones are refused, never cut: the id
#: must stay whole to recognise a redelivery)
MAX_DELIVERY_ID = 100
MAX_EVENT = 64


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
        """The body as a JSON object within :data:`MAX_BODY_BYTES` and :data:`MAX_DEPTH`."""
        if len(body) > MAX_BODY_BYTES:
            raise WebhookRejected(413, f"Body is larger than {MAX_BODY_BYTES // 1024} KiB.")
        try:
            payload = json.loads(body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            raise WebhookRejected(400, "Body is not JSON.") from None
        if not isinstance(payload, dict):
            raise WebhookRejected(400, "Body is not a JSON object.")
        if _depth(payload) > MAX_DEPTH:
            raise WebhookRejected(400, f"Body is nested deeper than {MAX_DEPTH} levels.")
        return payload

    @staticmethod
    def checked_headers(delivery_id: str, event: str) -> tuple[str, str]:
        if len(delivery_id) > MAX_DELIVERY_ID or len(event) > MAX_EVENT:
            raise WebhookRejected(
                400,
                f"Delivery id or event is too long (at most {MAX_DELIVERY_ID} and "
                f"{MAX_EVENT} characters).",
            )
        if "\x00" in delivery_id or "\x00" in event:
            raise WebhookRejected(400, "Delivery id or event contains a NUL character.")
        return delivery_id, event


def _depth(value, level: int = 1) -> int:
    """How deep containers nest, without recursing past the limit (a list of lists of …)."""
    deepest, stack = level, [(value, level)]
    while stack:
        node, at = stack.pop()
        deepest = max(deepest, at)
        if deepest > MAX_DEPTH:
            return deepest
        children = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        stack.extend((child, at + 1) for child in children if isinstance(child, dict | list))
    return deepest
