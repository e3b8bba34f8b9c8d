"""OpenAPI descriptions drf-spectacular cannot infer: the X-API-KEY scheme and lenient fields.

Imported by urls.py, so they are registered before any schema is generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction
from rest_framework.serializers import Serializer


class ObjectResponseSchema(AutoSchema):
    """For ViewSets whose `list` action answers a single envelope object, not an array."""

    def _is_list_view(self, serializer: Serializer | type[Serializer] | None = None) -> bool:
        return False


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "clients.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "X-API-KEY"}


# The lenient fields are documented as query parameters, which cannot say null: "" means unset
# there (a JSON body on GET may also send null, which OpenAPI cannot describe for a GET).


class LenientBooleanSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientBooleanField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        # true/false, 0/1 or their string forms, as MONARC sends them.
        return {
            "oneOf": [
                build_basic_type(OpenApiTypes.BOOL),
                {"type": "integer", "enum": [0, 1]},
                {
                    "type": "string",
                    "enum": ["true", "false", "1", "0", "yes", "no", "on", "off", ""],
                },
            ]
        }


class LenientDateSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientDateField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        # A date, or empty for "unset" (a query string cannot say null; a JSON body may).
        return {
            "oneOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "enum": [""]},
            ]
        }


class LenientIntegerSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.LenientIntegerField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        # An integer or a digit string ("10"), as MONARC sends offsets and limits.
        return {
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": self.target.maximum},
                {"type": "string", "pattern": "^[0-9]*$"},
            ]
        }


class UUIDListSchema(OpenApiSerializerFieldExtension):
    target_class = "stats.filtersets.UUIDListField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        return build_array_type(build_basic_type(OpenApiTypes.UUID) or {})


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "Error": {"type": "string", "description": "What went wrong, for humans."},
        "details": {"description": "Field-level details, when there are several."},
    },
    "required": ["Error"],
}
ERROR_RESPONSES = {
    "400": "Invalid parameters or body.",
    "401": "No X-API-KEY header (or an empty one).",
    "403": "Unknown or inactive key, or not allowed for this client.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "413": "Body larger than API_MAX_BODY_SIZE.",
    "415": "Body is not JSON.",
    "426": "MONARC older than the supported versions.",
    "429": "Too many failed authentication attempts from this address.",
}
BODY_ONLY = {"413", "415"}


def add_error_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    """Document the JSON errors every API operation can answer (statsservice.api).

    drf-spectacular only knows the success responses declared on each view; the errors come from
    shared plumbing (authentication, parser, throttle, version gate), so they are added here.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_body = "requestBody" in operation
            for code, description in ERROR_RESPONSES.items():
                if code in BODY_ONLY and not has_body:
                    continue
                operation["responses"].setdefault(
                    code, {"description": description, "content": ref}
                )
    return result


class ProcessorParamsSchema(OpenApiSerializerFieldExtension):
    # The aggregation engine's `processor_params` field; optional, as it lives in another branch.
    target_class = "stats.filtersets.ProcessorParamsField"
    optional = True

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        # An object, PHP's empty array `[]` or null, as MONARC sends it.
        return {
            "oneOf": [{"type": "object"}, {"type": "array", "maxItems": 0}],
            "nullable": True,
        }
