import django_filters
from django import forms
from django.db.models import Q

from portal.core.params import is_database_id
from portal.people.models import Person, Site


class SiteChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no database column can hold, before they reach the query (a 500 otherwise)."""

    def _check_values(self, value):
        if any(not is_database_id(v) for v in value):
            raise forms.ValidationError("Choose sites from the list.", code="invalid_pk_value")
        return super()._check_values(value)


class SiteFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = SiteChoiceField


class PersonFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Person.Status.choices, empty_label="Any status")
    sites = SiteFilter(queryset=Site.objects.all(), widget=forms.CheckboxSelectMultiple)

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
