"""A stateful fake of the Zeitstrom v2 API (Django REST framework server): employees, app
timestamps (check-in/check-out), employee check-in/check-out actions and timespans.

Import ``ZeitstromSimulator`` from here; ``python -m connectors.simulators --only zeitstrom``
serves it.
"""

from connectors.zeitstrom.simulator.app import ZeitstromFaults, ZeitstromQuirks, ZeitstromSimulator

__all__ = ["ZeitstromSimulator", "ZeitstromQuirks", "ZeitstromFaults"]
