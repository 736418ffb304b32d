"""What the attendance app tells the rest of the portal about punches.

``punches_stored`` is sent inside the transaction that stored new punches (a vendor pull's page,
a manual entry), with ``punch_ids``: what receivers write (sync's outbox rows that carry the
punches to time systems) commits or rolls back with the punches.
"""

from django.dispatch import Signal

punches_stored = Signal()


def announce_punches(punch_ids) -> None:
    """Tell receivers of new punches (call it in the transaction that stored them)."""
    ids = [pk for pk in punch_ids if pk is not None]
    if ids:
        punches_stored.send(sender=None, punch_ids=ids)
