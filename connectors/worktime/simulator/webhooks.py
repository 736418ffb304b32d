"""Webhook registrations and delivery.

The document sets webhooks up in the account settings (Settings → Webhooks: a URL and the events
to receive), not through the API, so registrations are made on the simulator
(:meth:`WorkTimeSimulator.register_webhook`). The document describes no signature; each
registration gets a secret that every delivery carries in ``X-WorkTime-Secret`` so a receiver can
tell genuine deliveries from forged ones. Deliveries also carry ``X-WorkTime-Event`` and
``X-WorkTime-Delivery`` (a unique id, the same on a duplicate delivery).

Events are queued while the simulator holds its lock and posted afterwards, so a slow or failing
receiver never breaks (or deadlocks) the API request that caused the event. With an injected
transport (tests) delivery happens synchronously after each request and on
:meth:`WebhookDispatcher.deliver_pending`; otherwise a daemon thread posts them over loopback.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime

import httpx

from connectors.worktime.simulator.records import iso

EVENTS = (
    "employee.created",
    "employee.updated",
    "employee.deleted",
    "attendance.clock_in",
    "attendance.clock_out",
    "penalty.created",
    "lock.opened",
)


@dataclass
class WebhookRegistration:
    id: str
    url: str
    events: tuple[str, ...]  # empty: every event
    secret: str
    active: bool = True

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


@dataclass
class WebhookDelivery:
    id: str
    registration_id: str
    event: str
    payload: dict
    status_code: int | None = None
    error: str | None = None
    duplicate: bool = False


@dataclass
class WebhookFaults:
    """``drop_next`` deliveries are silently lost; ``duplicate_next`` ones are sent twice."""

    drop_next: int = 0
    duplicate_next: int = 0


@dataclass
class _Outgoing:
    registration: WebhookRegistration
    delivery: WebhookDelivery
    copies: int = 1


class WebhookDispatcher:
    def __init__(
        self,
        transport: httpx.BaseTransport | None = None,
        *,
        background: bool | None = None,
        timeout: float = 2.0,
    ):
        self.registrations: dict[str, WebhookRegistration] = {}
        self.deliveries: deque[WebhookDelivery] = deque(maxlen=5000)
        self.faults = WebhookFaults()
        self._transport = transport
        self._timeout = timeout
        self._background = transport is None if background is None else background
        self._pending: deque[_Outgoing] = deque()
        self._sequence = 0
        self._send_lock = threading.Lock()  # one sender at a time keeps events in order
        self._wake = threading.Event()
        self._worker: threading.Thread | None = None
        self._client: httpx.Client | None = None

    # -- registrations -------------------------------------------------------------------------
    def register(self, url: str, events=(), secret: str | None = None) -> WebhookRegistration:
        unknown = set(events) - set(EVENTS)
        if unknown:
            raise ValueError(f"unknown webhook events: {sorted(unknown)}")
        self._sequence += 1
        registration = WebhookRegistration(
            id=f"wh_{self._sequence:06d}",
            url=url,
            events=tuple(events),
            secret=secret or f"whsec_{secrets.token_hex(16)}",
        )
        self.registrations[registration.id] = registration
        return registration

    def remove(self, registration_id: str) -> None:
        self.registrations.pop(registration_id, None)

    # -- events --------------------------------------------------------------------------------
    def emit(self, event: str, when: datetime, data: dict) -> None:
        """Queue ``event`` for every registration that wants it (call under the simulator lock)."""
        if event not in EVENTS:
            raise ValueError(event)
        payload = {"event": event, "timestamp": iso(when), "data": data}
        for registration in list(self.registrations.values()):
            if not registration.wants(event):
                continue
            self._sequence += 1
            delivery = WebhookDelivery(f"dlv_{self._sequence:08d}", registration.id, event, payload)
            copies = 1
            if self.faults.drop_next > 0:
                self.faults.drop_next -= 1
                delivery.error = "dropped (injected fault)"
                self.deliveries.append(delivery)
                continue
            if self.faults.duplicate_next > 0:
                self.faults.duplicate_next -= 1
                copies = 2
            self._pending.append(_Outgoing(registration, delivery, copies))
        if self._pending and self._background:
            self._ensure_worker()
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def deliver_pending(self) -> None:
        """Post every queued delivery now (in the caller's thread); failures are recorded only."""
        with self._send_lock:
            while self._pending:
                try:
                    outgoing = self._pending.popleft()
                except IndexError:
                    return
                for copy in range(outgoing.copies):
                    self._post(outgoing, duplicate=copy > 0)

    def after_request(self) -> None:
        if not self._background and self._pending:
            self.deliver_pending()

    def _post(self, outgoing: _Outgoing, duplicate: bool) -> None:
        delivery = outgoing.delivery
        if duplicate:
            delivery = WebhookDelivery(**{**delivery.__dict__, "duplicate": True})
        headers = {
            "X-WorkTime-Event": delivery.event,
            "X-WorkTime-Delivery": delivery.id,
            "X-WorkTime-Secret": outgoing.registration.secret,
            "User-Agent": "WorkTime-Webhooks/1.0",
        }
        try:
            url = outgoing.registration.url
            response = self._http().post(url, json=delivery.payload, headers=headers)
            delivery.status_code = response.status_code
        except Exception as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        self.deliveries.append(delivery)

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(transport=self._transport, timeout=self._timeout)
        return self._client

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="worktime-webhooks", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            self.deliver_pending()
