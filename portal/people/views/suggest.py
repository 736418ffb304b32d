"""Suggestions for a person picker, as one types: the directory's search over active people."""

from __future__ import annotations

from django.views.generic import ListView

from portal.core.permissions import PermissionRequiredMixin
from portal.people.filters import ordering_for
from portal.people.models import Person
from portal.people.pickers import SUGGESTED
from portal.people.search import search


class PersonSuggestView(PermissionRequiredMixin, ListView):
    """``?field=manager&manager=han``: up to ``SUGGESTED`` active people, as ``<option>``s."""

    permission_required = "people.view_person"
    template_name = "people/person_suggestions.html"
    context_object_name = "people"

    def get_queryset(self):
        text = self.request.GET.get(self.request.GET.get("field") or "q", "")
        if not text.strip():
            return Person.objects.none()
        active = Person.objects.filter(status=Person.Status.ACTIVE)
        people = search(active, text).order_by(*ordering_for("name", searching=True))
        return people.only("first_name", "last_name", "employee_code")[:SUGGESTED]
