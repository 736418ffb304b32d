import csv
from urllib.parse import urlencode

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from portal.core import audit
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import wants_partial
from portal.doors.feed import (
    FEED_KINDS,
    Cursor,
    EventFilters,
    feed_queryset,
    newer_than,
    older_than,
    page_of,
)
from portal.doors.models import Door, DoorEvent
from portal.people.models import Person

#: the most events one live poll prepends; more than that and the page says to reload
LIVE_LIMIT = 100
EXPORT_CHUNK = 2000


def filter_query(request) -> str:
    """The filter fields of the request as a query string (no cursors)."""
    names = ("site", "door", "person", "kind", "since", "until", "q")
    return urlencode({n: request.GET[n] for n in names if request.GET.get(n)})


class EventListView(PermissionRequiredMixin, TemplateView):
    """Every door event, newest first, in keyset pages; new ones are prepended as they arrive."""

    permission_required = "doors.view_doorevent"
    template_name = "doors/event_list.html"

    def get(self, request, *args, **kwargs):
        self.filters = EventFilters.from_request(request)
        self.events = self.filters.apply(feed_queryset())
        newer = Cursor.parse(request.GET.get("newer", ""))
        if newer is not None:
            return self.live(newer)
        return super().get(request, *args, **kwargs)

    def live(self, newer: Cursor):
        """Events newer than the newest shown: 204 when none, else rows to prepend."""
        fresh = list(newer_than(self.events, newer).order_by("occurred_at", "id")[:LIVE_LIMIT])
        if not fresh:
            return HttpResponse(status=204)
        fresh.reverse()
        context = self.base_context(newest=Cursor.of(fresh[0]), events=fresh, news=len(fresh))
        return self.render_to_response(context, template="doors/event_list.html#event-live")

    def render_to_response(self, context, template=None, **kwargs):
        if template is None and wants_partial(self.request):
            template = "doors/event_list.html#event-table"
        if template is not None:
            return self.response_class(
                request=self.request,
                template=[template],
                context=context,
                using=self.template_engine,
            )
        return super().render_to_response(context, **kwargs)

    def base_context(self, **extra):
        return {
            "filters": self.filters,
            "filter_query": filter_query(self.request),
            "can_view_people": self.request.user.has_perm("people.view_person"),
            **extra,
        }

    def get_context_data(self, **kwargs):
        after = Cursor.parse(self.request.GET.get("after", ""))
        page = page_of(self.events, after)
        person = (
            Person.objects.filter(pk=self.filters.person).first() if self.filters.person else None
        )
        # the site choices come from the doors: a site without doors has no events to filter
        doors = list(
            Door.objects.filter(gone_at__isnull=True).select_related("site").order_by("name")
        )
        return super().get_context_data(
            **self.base_context(
                page=page,
                events=page.events,
                newest=page.newest,
                first_page=after is None,
                person=person,
                sites=sorted({d.site for d in doors if d.site}, key=lambda site: site.name),
                doors=doors,
                kinds=[(k, DoorEvent.Kind(k).label) for k in FEED_KINDS],
            ),
            **kwargs,
        )


class Echo:
    def write(self, value):
        return value


CSV_HEADER = ["time", "kind", "door", "site", "device", "person", "employee code", "method",
              "vendor user id", "description", "system"]  # fmt: skip


class EventExportView(PermissionRequiredMixin, View):
    """The filtered range as CSV, streamed in keyset chunks so any size costs the same memory."""

    permission_required = "doors.view_doorevent"

    def get(self, request):
        filters = EventFilters.from_request(request)
        audit.record(
            "door_events.export", request=request, after={"filters": filter_query(request)}
        )
        writer = csv.writer(Echo())
        events = filters.apply(feed_queryset().select_related("account"))

        def rows():
            yield writer.writerow(CSV_HEADER)
            cursor = None
            while True:
                chunk = list(older_than(events, cursor)[:EXPORT_CHUNK])
                for event in chunk:
                    yield writer.writerow(csv_row(event))
                if len(chunk) < EXPORT_CHUNK:
                    return
                cursor = Cursor.of(chunk[-1])

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="door-events-{stamp}.csv"'
        return response


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_row(event: DoorEvent) -> list[str]:
    person = event.person
    return [
        spreadsheet_safe(value)
        for value in [
            timezone.localtime(event.occurred_at).isoformat(),
            event.get_kind_display(),
            event.door.name if event.door else "",
            event.door.site.name if event.door and event.door.site else "",
            event.device.name if event.device else "",
            str(person) if person else "",
            person.employee_code if person else "",
            event.method,
            event.vendor_user_id,
            event.description,
            event.account.name,
        ]
    ]
