"""Small shared pieces for views that answer both full-page and HTMX requests."""

from django.shortcuts import redirect
from django.views.generic import ListView
from django_htmx.http import HttpResponseClientRedirect


def redirect_after_post(request, url: str):
    """After a valid POST: HTMX is told to load ``url`` as a whole page; a plain form is redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def wants_partial(request) -> bool:
    """An HTMX request swaps a fragment; a boosted one (a plain link or form) wants the page."""
    return bool(request.htmx) and not request.htmx.boosted


class HtmxPartialMixin:
    """For any view with a template (list, detail, form, ``TemplateResponseMixin``): an HTMX
    request gets only the partial ``partial_name`` of the page's own template."""

    partial_name = ""

    def get_template_names(self):
        names = super().get_template_names()
        if self.partial_name and wants_partial(self.request):
            return [f"{names[0]}#{self.partial_name}"]
        return names


class PartialListView(HtmxPartialMixin, ListView):
    """A paginated list page whose HTMX requests get only its table partial."""

    paginate_by = 50
