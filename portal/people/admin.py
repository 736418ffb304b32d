from django.contrib import admin

from portal.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from portal.people.models import Department, Person, Position, Site


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Read-only here: edits go through the People pages so they reach every vendor."""

    list_display = ["employee_code", "last_name", "first_name", "department", "status"]
    list_filter = ["status", "department", "sites"]
    search_fields = ["employee_code", "first_name", "last_name", "email"]
    # a fixed number of queries per page at 50,000 people: the department rides along the rows
    list_select_related = ["department"]
    ordering = ["last_name", "first_name", "id"]  # the name index, ending on the id: stable pages


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]


@admin.register(Position)
class PositionAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Site)
class SiteAdmin(AuditedAdmin):
    list_display = ["name", "code", "time_zone"]
    search_fields = ["name", "code"]
