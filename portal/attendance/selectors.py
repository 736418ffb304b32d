"""Which people and timecards a user may see, shared by the timecard pages and the dashboard."""

from django.http import Http404

from portal.attendance.models import TimeCard
from portal.people.models import Person


def visible_people(user):
    """Managers see their direct reports; HR and administrators (view_all_timecards) everyone."""
    people = Person.objects.all()
    if user.has_perm("attendance.view_all_timecards"):
        return people
    return people.filter(manager__user=user)


def visible_person(user, person_id) -> Person:
    """The person, if this user may see them; another team's id is a 404 like a missing one."""
    try:
        return visible_people(user).get(pk=person_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person in your teams.") from None


def visible_timecards(user):
    cards = TimeCard.objects.select_related("person")
    if user.has_perm("attendance.view_all_timecards"):
        return cards
    return cards.filter(person__manager__user=user)
