"""OpenAPI descriptions drf-spectacular cannot infer: the X-API-KEY scheme and lenient fields.

Imported by urls.py, so they are registered before any schema is generated.
"""

from __future__ import annotations

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "clients.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {"type": "apiKey", "in": "header", "name": "X-API-KEY"}


class LenientBooleanSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientBooleanField"

    def map_serializer_field(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        # true/false, 0/1 or their string forms, as MONARC sends them.
        return {
            "oneOf": [
                build_basic_type(OpenApiTypes.BOOL),
                {"type": "integer", "enum": [0, 1]},
                {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no", "on", "off"]},
            ]
        }


class LenientDateSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientDateField"

    def map_serializer_field(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        return {"type": "string", "format": "date", "nullable": True}


class LenientIntegerSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientIntegerField"

    def map_serializer_field(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        # An integer or a digit string ("10"), as MONARC sends offsets and limits.
        return {
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": self.target.maximum},
                {"type": "string", "pattern": "^[0-9]+$"},
            ]
        }


class UUIDListSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.UUIDListField"

    def map_serializer_field(self, auto_schema, direction):  # type: ignore[no-untyped-def]
        return build_array_type(build_basic_type(OpenApiTypes.UUID))
