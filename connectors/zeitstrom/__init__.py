"""Zeitstrom time tracking: employees to match people, and check-ins/check-outs pushed to it
from other clocks."""
