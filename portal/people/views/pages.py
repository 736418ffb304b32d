from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.base import TemplateResponseMixin

from portal.core.aggregates import split_joined
from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin, redirect_after_post, wants_partial
from portal.people import services
from portal.people.forms import CancelOffboardingForm, PersonForm, TerminationForm
from portal.people.models import Offboarding, Person
from portal.people.views.directory import site_ids, site_names


class PersonDetailView(PermissionRequiredMixin, HtmxPartialMixin, DetailView):
    """The person page, in a fixed number of queries however long the person's history: the
    person with their department, position, manager, login and site names in one; the
    offboarding waiting for its date and the latest carried out in another."""

    permission_required = "people.view_person"
    model = Person
    template_name = "people/person_detail.html"
    partial_name = "systems"

    def get_queryset(self):
        return Person.objects.select_related("department", "position", "manager", "user").annotate(
            site_names=site_names(), joined_site_ids=site_ids()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if wants_partial(self.request):
            return context  # the systems table polling while a change is sent: nothing else
        context["termination_form"] = TerminationForm()
        context["direct_reports"] = self.object.reports.order_by("last_name", "first_name", "pk")
        context["site_list"] = split_joined(self.object.site_names)
        shown = shown_offboardings(self.object)
        context["scheduled"] = shown.scheduled
        context["latest_offboarding"] = shown.latest
        context["cancel_form"] = CancelOffboardingForm()
        return context


def scheduled_offboarding(person: Person) -> Offboarding | None:
    return person.offboardings.filter(started_at__isnull=True, cancelled_at__isnull=True).first()


@dataclass
class ShownOffboardings:
    #: waiting for its date (not started, not cancelled)
    scheduled: Offboarding | None
    #: the latest carried out, whose per-system progress the page shows
    latest: Offboarding | None


def shown_offboardings(person: Person) -> ShownOffboardings:
    """Both offboardings the person page shows, in one query whatever the history."""
    offboardings = person.offboardings.order_by()
    waiting = offboardings.filter(started_at__isnull=True, cancelled_at__isnull=True)
    carried_out = offboardings.filter(started_at__isnull=False).order_by("-started_at", "-id")
    rows = Offboarding.objects.filter(
        Q(pk__in=waiting.order_by("-requested_at", "-id").values("pk")[:1])
        | Q(pk__in=carried_out.values("pk")[:1])
    ).select_related("requested_by")
    scheduled = latest = None
    for row in rows:
        if row.started_at is None:
            scheduled = row
        else:
            latest = row
    return ShownOffboardings(scheduled, latest)


class FormPartialView(PermissionRequiredMixin, HtmxPartialMixin, TemplateResponseMixin, View):
    """GET shows the form; an invalid POST re-renders it with errors; a valid one redirects."""

    def render_form(self, context):
        return self.render_to_response(context)

    def done(self, person, message):
        messages.success(self.request, message)
        return redirect_after_post(self.request, reverse("people:person-detail", args=[person.pk]))


class PersonFormView(FormPartialView):
    template_name = "people/person_form.html"
    partial_name = "person-form"

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = (
            "people.change_person" if kwargs.get("pk") else "people.add_person"
        )
        return super().dispatch(request, *args, **kwargs)

    def get_person(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(Person, pk=pk) if pk else Person()

    def get(self, request, pk=None):
        person = self.get_person()
        form = PersonForm(instance=person, can_link_login=self.can_link_login())
        return self.render_form({"form": form, "person": person})

    def can_link_login(self) -> bool:
        return self.request.user.has_perm("auth.change_user")

    def post(self, request, pk=None):
        person = self.get_person()
        form = PersonForm(request.POST, instance=person, can_link_login=self.can_link_login())
        if not form.is_valid():
            return self.render_form({"form": form, "person": person})
        creating = person.pk is None
        person = services.save_person(form, request)
        verb = "Added" if creating else "Saved"
        return self.done(person, f"{verb} {person.full_name}. Connected systems are being updated.")


class PersonTerminateView(FormPartialView):
    """Two steps: the form, then a confirmation that lists what each system will do. Nothing is
    written or sent before HR confirms."""

    permission_required = "people.terminate_person"
    template_name = "people/person_detail.html"
    partial_name = "termination"

    def context(self, person, form, **extra):
        return {
            "object": person,
            "person": person,
            "termination_form": form,
            "scheduled": scheduled_offboarding(person),
            "cancel_form": CancelOffboardingForm(),
        } | extra

    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        form = TerminationForm(request.POST, person=person)
        if person.status == Person.Status.TERMINATED:
            form.add_error(None, f"{person.full_name} is already terminated.")
        if not form.is_valid() or "edit" in request.POST:
            return self.render_form(self.context(person, form))
        last_day = form.cleaned_data["termination_date"]
        if "confirm" not in request.POST:
            access_ends = None if form.immediate else services.end_of_day(person, last_day)
            if access_ends is not None and access_ends <= timezone.now():
                access_ends = None  # the last day is over: it runs at once
            return self.render_form(
                self.context(person, form, confirming=True, access_ends=access_ends)
            )
        try:
            offboarding = services.request_termination(
                person,
                last_day=last_day,
                reason=form.cleaned_data["reason"],
                immediate=form.immediate,
                request=request,
            )
        except ValidationError as refused:
            for message in refused.messages:
                form.add_error(None, message)
            return self.render_form(self.context(person, form))
        if offboarding.started_at is None:
            when = timezone.localtime(offboarding.scheduled_for, services.person_zone(person))
            return self.done(
                person,
                f"Offboarding of {person.full_name} scheduled for {when:%d %b %Y %H:%M %Z}. "
                "Access stays until then.",
            )
        return self.done(
            person,
            f"Terminated {person.full_name}. Access is being revoked in every system; each is "
            "confirmed on this page once read back.",
        )


class OffboardingListView(PermissionRequiredMixin, ListView):
    """Scheduled offboardings (next first), then the latest ones carried out or cancelled."""

    permission_required = "people.view_offboarding"
    template_name = "people/offboarding_list.html"
    context_object_name = "scheduled"

    def get_queryset(self):
        return (
            Offboarding.objects.filter(started_at__isnull=True, cancelled_at__isnull=True)
            .select_related("person", "requested_by")
            .order_by("scheduled_for")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent"] = (
            Offboarding.objects.exclude(started_at__isnull=True, cancelled_at__isnull=True)
            .select_related("person", "requested_by", "cancelled_by")
            .order_by("-requested_at")[:50]
        )
        context["cancel_form"] = CancelOffboardingForm()
        return context


class OffboardingCancelView(PermissionRequiredMixin, View):
    permission_required = "people.terminate_person"

    def post(self, request, pk):
        offboarding = get_object_or_404(Offboarding, pk=pk)
        form = CancelOffboardingForm(request.POST)
        back = request.POST.get("next") == "list"
        url = (
            reverse("people:offboarding-list")
            if back
            else reverse("people:person-detail", args=[offboarding.person_id])
        )
        if not form.is_valid():
            messages.error(request, "Say why the offboarding is cancelled; nothing was changed.")
            return redirect_after_post(request, url)
        try:
            services.cancel_offboarding(
                offboarding, reason=form.cleaned_data["cancel_reason"], request=request
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(
                request,
                f"Cancelled the offboarding of {offboarding.person.full_name}; access stays.",
            )
        return redirect_after_post(request, url)


class PersonRehireView(FormPartialView):
    permission_required = "people.terminate_person"

    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        if person.status == Person.Status.ACTIVE:
            return self.done(person, f"{person.full_name} is already active; nothing changed.")
        services.rehire_person(person, request=request)
        return self.done(
            person, f"Rehired {person.full_name}. Connected systems are being updated."
        )
