"""Recompute stored timecards for a date range, e.g. after a shift or holiday changed."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from portal.attendance.compute import recompute
from portal.people.models import Person


class Command(BaseCommand):
    help = "Recompute the timecards of a date range (approved periods keep their figures)."

    def add_arguments(self, parser):
        parser.add_argument("start", help="First day, YYYY-MM-DD")
        parser.add_argument("end", help="Last day, YYYY-MM-DD")
        parser.add_argument("--person", action="append", default=[], help="Employee code")

    def handle(self, start, end, person, **options):
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError as exc:
            raise CommandError(f"Dates are YYYY-MM-DD: {exc}") from None
        if last < first:
            raise CommandError("The end is before the start.")
        people = Person.objects.all()
        if person:
            people = people.filter(employee_code__in=person)
        ids = list(people.values_list("pk", flat=True))
        days = [first.fromordinal(d) for d in range(first.toordinal(), last.toordinal() + 1)]
        written = recompute([(pid, day) for pid in ids for day in days])
        self.stdout.write(f"{written} cards written for {len(ids)} people.")
