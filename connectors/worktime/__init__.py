"""WorkTime One: employees, attendance, manual clock, payroll/attendance reports, TTLock smart
locks and their history, webhooks (REST API under ``/v1``, Bearer API keys with scopes and an
hourly request budget)."""
