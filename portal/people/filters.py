import django_filters
from django.db.models import Q

from portal.people.models import Person


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Person.Status.choices, empty_label="Any status")

    class Meta:
        model = Person
        fields = ["q", "status", "department", "sites"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(employee_code__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset
