"""A stateful fake of the OpenTimeClock Q2 API: one URL, commands chosen by ``cmd``, company id and
developer token in the request, every value a string, ``nextRecord`` paging.

Import ``Q2Simulator`` from here; ``python -m connectors.simulators --only q2`` serves it.
"""

from connectors.q2.simulator.app import Q2Faults, Q2Quirks, Q2Simulator

__all__ = ["Q2Simulator", "Q2Quirks", "Q2Faults"]
