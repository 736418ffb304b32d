"""Words for the flags on a card: shown as text, never as colour alone."""

EXCEPTION_LABELS = {
    "missing_in": "Missing in",
    "missing_out": "Missing out",
    "long_shift": "Long shift",
    "outside_schedule": "Outside schedule",
    "day_off": "Worked on a day off",
    "absent": "Absent",
    "late": "Late",
    "early": "Left early",
    "auto_closed": "Closed by the system at shift end",
    "corrected": "Corrected",
}


def label(flag: str) -> str:
    return EXCEPTION_LABELS.get(flag, flag.replace("_", " ").capitalize())


def hours(minutes: int | None) -> str:
    """480 -> "8:00"; the grid shows hours:minutes, as payroll reads them."""
    minutes = minutes or 0
    return f"{minutes // 60}:{minutes % 60:02d}"
