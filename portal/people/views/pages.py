from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView
from django.views.generic.base import TemplateResponseMixin

from portal.core.permissions import PermissionRequiredMixin
from portal.core.views.htmx import HtmxPartialMixin, redirect_after_post
from portal.people import services
from portal.people.forms import PersonForm, TerminationForm
from portal.people.models import Person


class PersonDetailView(PermissionRequiredMixin, HtmxPartialMixin, DetailView):
    permission_required = "people.view_person"
    model = Person
    template_name = "people/person_detail.html"
    partial_name = "systems"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["termination_form"] = TerminationForm()
        context["direct_reports"] = self.object.reports.order_by("last_name", "first_name")
        return context


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
    permission_required = "people.terminate_person"
    template_name = "people/person_detail.html"
    partial_name = "termination"

    def post(self, request, pk):
        person = get_object_or_404(Person, pk=pk)
        form = TerminationForm(request.POST, person=person)
        if person.status == Person.Status.TERMINATED:
            form.add_error(None, f"{person.full_name} is already terminated.")
        if not form.is_valid():
            return self.render_form({"object": person, "person": person, "termination_form": form})
        services.terminate_person(
            person,
            on=form.cleaned_data["termination_date"],
            reason=form.cleaned_data["reason"],
            request=request,
        )
        return self.done(
            person, f"Terminated {person.full_name}. Access is being revoked in every system."
        )


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
