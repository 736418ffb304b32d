"""What every resource shares: ids checked before they reach a query, safe id filters, and the
viewset bases the read-only resources and the append-only logs are built on."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, mixins, viewsets

from portal.api.pagination import LogCursorPagination
from portal.core.params import is_database_id


class IdLookupMixin:
    """A path id no database column can hold is a 404, not an overflow deep in the driver."""

    def get_object(self):
        if not is_database_id(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise exceptions.NotFound("No such object: ids are positive whole numbers.")
        return super().get_object()


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_database_id(value):
            raise forms.ValidationError("Give the id of an existing row.", code="invalid_choice")
        return super().to_python(value)


class IdFilter(django_filters.ModelChoiceFilter):
    """Filter by the id of a related row; a bad or unknown id is a 400 naming the parameter."""

    field_class = IdChoiceField


#: append-only logs filter but do not reorder: their cursor walks newest first by id
LOG_FILTERS = [DjangoFilterBackend]


class ReadOnlyResource(
    IdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """List and detail, nothing written; extra actions (``@action``) may still write."""


class LogResource(ReadOnlyResource):
    """An append-only log: filtered, never reordered, read newest first with a cursor."""

    filter_backends = LOG_FILTERS
    pagination_class = LogCursorPagination
