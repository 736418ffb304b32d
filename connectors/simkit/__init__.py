"""Shared machinery for the vendor simulators: a simulated clock, switchable faults,
a WSGI base class that serves in-process (httpx transport) and on loopback, and the demo company."""

from connectors.simkit.base import Simulator, json_response
from connectors.simkit.clock import SimClock
from connectors.simkit.faults import Faults

__all__ = ["Simulator", "SimClock", "Faults", "json_response"]
