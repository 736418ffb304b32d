"""Small shared pieces for views that answer both full-page and HTMX requests."""

from django.shortcuts import redirect
from django.views.generic import ListView
from django_htmx.http import HttpResponseClientRedirect


def redirect_after_post(request, url: str):
    """After a valid POST: HTMX is told to load ``url`` as a whole page; a plain form is redirected."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


class PartialListView(ListView):
    """A list page whose HTMX requests get only the named partial of the same template."""

    partial_name = ""
    paginate_by = 50

    def get_template_names(self):
        names = super().get_template_names()
        if self.request.htmx and not self.request.htmx.boosted and self.partial_name:
            return [f"{names[0]}#{self.partial_name}"]
        return names
