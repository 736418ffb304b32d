"""/api/v1/: one router line per resource; the schema and its docs page."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal.api.errors import not_found
from portal.api.resources import (
    attendance,
    audit,
    door_control,
    doors,
    org,
    people,
    provisioning,
    schedules,
    sync,
    unmatched,
)
from portal.api.schema_view import SchemaView

app_name = "api"

router = DefaultRouter()
router.include_root_view = False
router.register("people", people.PersonViewSet)
router.register("departments", org.DepartmentViewSet)
router.register("positions", org.PositionViewSet)
router.register("sites", org.SiteViewSet)
router.register("unmatched", unmatched.UnmatchedViewSet)
router.register("doors", doors.DoorViewSet)
router.register("door-events", doors.DoorEventViewSet)
router.register("devices", doors.DeviceViewSet)
router.register("door-commands", door_control.DoorCommandViewSet)
router.register("alarms", door_control.AlarmViewSet)
router.register("lockdowns", door_control.LockdownViewSet)
router.register("punches", attendance.PunchViewSet)
router.register("timecards", attendance.TimeCardViewSet)
router.register("timecard-periods", attendance.TimePeriodViewSet)
router.register("shifts", schedules.ShiftPatternViewSet)
router.register("shift-assignments", schedules.ShiftAssignmentViewSet)
router.register("holidays", schedules.PublicHolidayViewSet)
router.register("vendor-accounts", sync.VendorAccountViewSet)
router.register("sync-runs", sync.SyncRunViewSet)
router.register("outbox", sync.OutboxMessageViewSet)
router.register("audit", audit.AuditEntryViewSet)
router.register("provisioning-rules", provisioning.ProvisioningRuleViewSet)
router.register("access-groups", provisioning.AccessGroupViewSet)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    # anything else under /api/v1/ is a 404 in the API's error shape, not the HTML page
    re_path(r"^.*$", not_found),
]
