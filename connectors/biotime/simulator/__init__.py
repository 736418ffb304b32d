"""A stateful fake of a ZKTeco BioTime 9.5 server, faithful to its API document and to the
quirks real servers show (see ``quirks.py``). ``BioTimeSimulator.demo()`` seeds it with the demo
company; ``BioTimeSimulator.large()`` builds a big, lazily generated data set for benchmarks."""

from connectors.biotime.simulator.app import BioTimeSimulator
from connectors.biotime.simulator.quirks import BioTimeFaults, BioTimeQuirks

__all__ = ["BioTimeSimulator", "BioTimeQuirks", "BioTimeFaults"]
