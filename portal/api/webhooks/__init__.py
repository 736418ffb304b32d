"""Outbound webhooks: Workgate tells registered endpoints what happened, signed, in order."""
