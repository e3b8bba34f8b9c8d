"""WSGI entry point: `gunicorn statsservice.wsgi:application`."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statsservice.settings")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def read_chunked_bodies(app: WSGIApp) -> WSGIApp:
    """Give a chunked request body (no Content-Length) a length, within API_MAX_BODY_SIZE.

    Django reads only CONTENT_LENGTH bytes of a body, so a valid chunked POST reached the API
    empty (a 400). gunicorn de-chunks the stream and marks it terminated; read it here, at most
    one byte past the limit, so that an oversized body still gets the parser's 413.
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(settings.API_MAX_BODY_SIZE + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return wrapped


# get_wsgi_application() sets no script prefix at start-up, but WhiteNoise reads (and Django
# caches) STATIC_URL while loading the middleware: set FORCE_SCRIPT_NAME's prefix first, so static
# URLs carry it too when the service is mounted under a path.
django.setup(set_prefix=True)
application = read_chunked_bodies(get_wsgi_application())
