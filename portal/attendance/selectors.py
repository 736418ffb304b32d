"""Which timecards a user may see, shared by the timecard list and the dashboard."""

from portal.attendance.models import TimeCard


def visible_timecards(user):
    """Managers see their own team; administrators and payroll see everyone's."""
    cards = TimeCard.objects.select_related("person")
    if user.has_perm("attendance.view_all_timecards"):
        return cards
    return cards.filter(person__manager__user=user)
