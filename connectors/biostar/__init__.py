"""Suprema BioStar X: users, user and access groups, doors and their commands, devices and access
events, behind ``POST /api/login`` sessions (``bs-session-id``). Holds the connector and its
simulator (``connectors.biostar.simulator``)."""
