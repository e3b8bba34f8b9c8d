"""OpenAPI descriptions drf-spectacular cannot infer: the X-API-KEY scheme and the JSON errors.

The read parameters describe themselves (stats.filtersets.ParamsFilterSet.openapi_parameters).

Imported by urls.py, so they are registered before any schema is generated.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
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
