"""A stateful fake of the WorkTime One REST API (``/v1``): organization, employees (soft delete),
attendance and manual clock, payroll/attendance reports, TTLock smart locks and their history,
webhooks posted to registered URLs, Bearer API keys with scopes and hourly budgets.

Import ``WorkTimeSimulator`` from here; ``python -m connectors.simulators --only worktime`` serves it.
"""

from connectors.worktime.simulator.access import ApiKey
from connectors.worktime.simulator.app import WorkTimeFaults, WorkTimeQuirks, WorkTimeSimulator

__all__ = ["WorkTimeSimulator", "WorkTimeQuirks", "WorkTimeFaults", "ApiKey"]
