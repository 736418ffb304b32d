"""Filters of the audit log: item (person or other object), who, what, and a date range."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone

from portal.core.models import AuditEntry


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEntryFilterSet(django_filters.FilterSet):
    item = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label="Person or item"
    )
    object_type = django_filters.CharFilter(widget=forms.HiddenInput)
    object_id = django_filters.CharFilter(widget=forms.HiddenInput)
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label="Who"
    )
    action = django_filters.ChoiceFilter(empty_label="Any action", label="What")
    since = django_filters.DateFilter(
        method="from_day", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        method="to_day", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["item", "object_type", "object_id", "actor", "action", "since", "until"]

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = [(a, a) for a in actions]

    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=day_start(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=day_start(value + dt.timedelta(days=1)))
