"""What the people app tells the rest of the portal. People knows nothing of who listens.

``person_changed`` is sent synchronously inside the transaction that changed the person, so what a
receiver writes (the sync app writes outbox rows) commits or rolls back with the change itself,
and a receiver that raises undoes the change.
"""

from django.dispatch import Signal

CREATED = "created"
UPDATED = "updated"
TERMINATED = "terminated"
REHIRED = "rehired"

#: sent with ``person``, ``action`` (one of the four above) and ``changed`` (a tuple of the
#: names of the fields that changed; every audited field for a new person)
person_changed = Signal()

#: sent with ``obj`` (a Department, Position or Site), ``kind`` ("department", "position",
#: "site") and ``action`` ("create" or "update"), inside the transaction that saved it
org_changed = Signal()
