from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import PartialListView
from portal.people.filters import PersonFilterSet
from portal.people.models import Person


class PersonListView(PermissionRequiredMixin, PartialListView):
    permission_required = "people.view_person"
    template_name = "people/person_list.html"
    partial_name = "person-table"

    def get_queryset(self):
        people = Person.objects.select_related("department", "position").prefetch_related("sites")
        self.filterset = PersonFilterSet(self.request.GET or None, queryset=people)
        return self.filterset.qs if self.filterset.is_bound else people

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filterset"] = self.filterset
        context["any_people"] = Person.objects.exists()
        return context
