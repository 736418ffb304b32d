"""Request guards that apply to every page."""

from django.http import HttpResponseBadRequest


class RejectNulInQueryMiddleware:
    """A NUL character in a query parameter is never a real filter value, and PostgreSQL refuses
    it in any query ("A string literal cannot contain NUL"), which would be a 500. Answer 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest(
                    "A query parameter contains a NUL character.", content_type="text/plain"
                )
        return self.get_response(request)
