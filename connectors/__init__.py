"""Vendor connectors and their simulators. Plain Python: nothing here imports Django."""
