"""One structured (logfmt) log line per request, on the `statsservice.request` logger.

    method=POST path=/api/v1/stats/ status=201 duration_ms=41.7 client=monarc-a
    client_uuid=… addr=10.0.0.5 bytes_in=45121

Streamed responses are logged when their body has been sent, so the duration covers it too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import cast

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase

from clients.models import Client

logger = logging.getLogger("statsservice.request")


def _quote(value: str) -> str:
    if value and not any(c in value for c in ' "=\\') and value.isprintable():
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else "?" for c in escaped) + '"'


def request_fields(
    request: HttpRequest, response: HttpResponseBase, duration_ms: float
) -> dict[str, str]:
    fields = {
        "method": request.method or "",
        "path": request.path[:500],
        "status": str(response.status_code),
        "duration_ms": f"{duration_ms:.1f}",
    }
    # DRF puts the authenticated Client on the Django request; `type()` (unlike isinstance) does
    # not evaluate Django's lazy session user on pages.
    user = request.__dict__.get("user")
    if type(user) is Client:
        fields["client"] = user.name
        fields["client_uuid"] = str(user.uuid)
    fields["addr"] = request.META.get("REMOTE_ADDR", "")
    length = request.META.get("CONTENT_LENGTH")
    if length:
        fields["bytes_in"] = length
    return fields


def format_fields(fields: dict[str, str]) -> str:
    return " ".join(f"{key}={_quote(value)}" for key, value in fields.items())


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        start = time.perf_counter()
        response = self.get_response(request)
        if isinstance(response, StreamingHttpResponse):
            # Served by WSGI workers only, so a stream is never an async iterator here.
            content = cast(Iterator[bytes], response.streaming_content)
            response.streaming_content = self._logged_stream(content, request, response, start)
        else:
            self._log(request, response, start)
        return response

    def _log(self, request: HttpRequest, response: HttpResponseBase, start: float) -> None:
        duration_ms = (time.perf_counter() - start) * 1000
        logger.info(format_fields(request_fields(request, response, duration_ms)))

    def _logged_stream(
        self,
        content: Iterable[bytes],
        request: HttpRequest,
        response: HttpResponseBase,
        start: float,
    ) -> Iterator[bytes]:
        try:
            yield from content
        finally:
            self._log(request, response, start)
