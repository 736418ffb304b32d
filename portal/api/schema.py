"""The OpenAPI schema: every operation documents the error answers it can give, in one shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The input field at fault, or null.")
    code = serializers.CharField(help_text="Machine-readable: required, invalid, not_found, …")
    message = serializers.CharField(help_text="What went wrong and what to do, for a person.")


class ErrorResponseSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


ERRORS = {
    "400": "Bad input: a field, filter or parameter was refused (see `errors`).",
    "401": "No valid credentials: send `Authorization: Token <token>`.",
    "403": "Signed in, but your role lacks the permission this needs.",
    "404": "No such object (or page).",
    "409": "The object's state refuses this (e.g. already terminated).",
    "429": "Too many requests for this token; wait `Retry-After` seconds.",
}


class WorkgateAutoSchema(AutoSchema):
    def get_override_parameters(self):
        params = super().get_override_parameters()
        if self._is_list_view() and self.method == "GET":
            params.append(
                OpenApiParameter(
                    "fields",
                    str,
                    description="Comma-separated field names to return (others are left out).",
                )
            )
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method != "GET" and getattr(self.view, "action", None) in getattr(
            self.view, "conflict_actions", ()
        ):
            codes.append("409")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorResponseSerializer, code)
                responses[code]["description"] = ERRORS[code]
        return responses


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token wg_…` — create one on your Account page.",
        }
