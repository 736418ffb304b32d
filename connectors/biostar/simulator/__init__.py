"""A stateful fake of a Suprema BioStar X server, faithful to the API document and to the quirks
real servers show. Modules split by resource: ``auth`` (sessions), ``users``, ``groups`` (user
groups, access levels, access groups), ``doors`` (and their state machine), ``devices``,
``events`` (search) over ``eventlog``; ``activity`` and ``seed`` build the demo world."""

from connectors.biostar.simulator.app import BioStarSimulator
from connectors.biostar.simulator.quirks import BioStarQuirks

__all__ = ["BioStarSimulator", "BioStarQuirks"]
