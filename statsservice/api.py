"""API plumbing shared by every app: the bounded JSON parser and JSON error bodies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.functional import Promise
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from statsservice.jsontext import json_depth_exceeds, parse_json, unstorable_string


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "payload_too_large"


class DetailedError(exceptions.APIException):
    """A 400 answered as `{"Error": message, "details": details}`, the details as given.

    For errors whose details are not a field's messages: DRF would turn every value of a
    ValidationError's detail into a string, and take the first one as the message.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, message: str, details: dict[str, Any]) -> None:
        super().__init__(message)
        self.details = details


def _orjson_default(value: Any) -> Any:
    # What DRF's encoder also writes: lazy translations (error messages) and decimals.
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


class FastJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, written by orjson when it can (a year of by-day means is a ~1 MB
    answer: orjson writes it several times faster); anything orjson refuses (an integer beyond
    64 bits, a type it does not know) falls back to DRF's own rendering."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        # DRF reads no media type as "" (no indent parameter); its stubs want a str.
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_orjson_default)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028/2029 escaped, so the JSON is also valid JavaScript.
        return body.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")


class BoundedJSONParser(JSONParser):
    """JSON parser with a byte limit, a nesting limit and only storable strings.

    DRF reads the raw WSGI stream, which bypasses DATA_UPLOAD_MAX_MEMORY_SIZE, so the bound is
    enforced here. NaN and Infinity are refused, since they are not JSON.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:  # any JSON value, as DRF's own parser returns
        limit = settings.API_MAX_BODY_SIZE
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise PayloadTooLarge(f"Request body larger than {limit} bytes.")
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"Request body larger than {limit} bytes.")
        try:
            data = parse_json(raw)
        except (UnicodeDecodeError, ValueError) as exc:
            raise exceptions.ParseError(f"Malformed JSON: {exc}") from None
        except RecursionError:
            raise exceptions.ParseError("JSON nested too deeply.") from None
        if json_depth_exceeds(raw, settings.API_MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                f"JSON nested deeper than {settings.API_MAX_JSON_DEPTH} levels."
            )
        if (bad := unstorable_string(raw, data)) is not None:
            raise exceptions.ParseError(
                f"JSON string {json.dumps(bad[:40])} holds a NUL character or an unpaired "
                "surrogate, which cannot be stored."
            )
        return data


def _message(detail: Any) -> str:
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list) and detail:
        return _message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        if key in ("non_field_errors", "detail"):
            return _message(value)
        return f"{key}: {_message(value)}"
    return "Invalid request."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error as `{"Error": "..."}` (the original's shape), with details when useful."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # DRF reads request.body for JSON, where Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE
        # (= API_MAX_BODY_SIZE) before our parser runs: without this it would be an HTML 400.
        exc = PayloadTooLarge(f"Request body larger than {settings.API_MAX_BODY_SIZE} bytes.")
    # Imported here: rest_framework.views reads the renderer and parser settings, which name
    # this module, when it is first imported.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(exc, exceptions.NotAuthenticated):
        detail = "Unauthorized - Authentication required."
    body: dict[str, Any] = {"Error": _message(detail)}
    if isinstance(detail, dict | list) and not (
        isinstance(detail, dict) and set(detail) == {"detail"}
    ):
        body["details"] = detail
    if isinstance(exc, DetailedError):
        body["details"] = exc.details
    response.data = body
    return response


def json_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"Error": "Not Found."}, status=404)


def json_server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"Error": "Internal Server Error."}, status=500)


def json_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    # Django answers a disallowed Host (and other suspicious requests) through handler400,
    # before any view: without this the API would answer an HTML page.
    return JsonResponse({"Error": "Bad Request."}, status=400)
