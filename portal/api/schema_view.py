"""/api/v1/schema/: drf-spectacular's view, built once per process (a module of its own: the
schema classes load while drf-spectacular's views are still importing)."""

from drf_spectacular.views import SpectacularAPIView


class SchemaView(SpectacularAPIView):
    """The schema only changes with the code: build it once per process and language."""

    _built: dict = {}

    def _get_schema_response(self, request):
        from django.utils.translation import get_language
        from rest_framework.response import Response

        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (get_language(), version)
        if key not in self._built:
            self._built[key] = super()._get_schema_response(request).data
        return Response(
            data=self._built[key],
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, key[1])}"'
            },
        )
