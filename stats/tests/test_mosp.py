"""mosp_is_object_published against a local server answering like MOSP's object API."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

OBJECT = uuid.UUID("7f0497ed-1e3d-54bb-938e-a43e6022ac2f")
TOKEN = "mosp-token-123"


class FakeMosp:
    """`GET /api/v2/object/?uuid=…` as MOSP answers it, with scripted failures."""

    def __init__(self) -> None:
        self.objects = {str(OBJECT): {"id": 12, "name": "Climatic phenomenon", "uuid": str(OBJECT)}}
        self.status = 200
        self.raw: bytes | None = None
        self.location: str | None = None
        self.requests: list[tuple[str, dict[str, str]]] = []
        mosp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                mosp.requests.append((self.path, dict(self.headers)))
                parts = urlsplit(self.path)
                if parts.path != "/prefix/api/v2/object/":
                    return self._send(404, b'{"message": "Not found"}')
                if mosp.raw is not None:
                    return self._send(mosp.status, mosp.raw)
                wanted = parse_qs(parts.query).get("uuid", [""])[0]
                found = [mosp.objects[wanted]] if wanted in mosp.objects else []
                body = {"data": found, "metadata": {"count": len(found), "offset": 0, "limit": 10}}
                self._send(mosp.status, json.dumps(body).encode())

            def _send(self, status: int, payload: bytes) -> None:
                self.send_response(status)
                if mosp.location is not None:
                    self.send_header("Location", mosp.location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/prefix/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mosp(settings) -> Iterator[FakeMosp]:
    server = FakeMosp()
    settings.MOSP_URL = server.url
    settings.MOSP_TOKEN = TOKEN
    settings.SHARING_HTTP_RETRIES = 0
    yield server
    server.close()


def run(*args: str) -> str:
    out = StringIO()
    call_command("mosp_is_object_published", *args, stdout=out)
    return out.getvalue()


def test_it_reports_a_published_object_with_the_token(mosp):
    out = run("--uuid", str(OBJECT))
    assert out.strip() == f"{OBJECT} is published on {mosp.url}."
    path, headers = mosp.requests[0]
    assert path == f"/prefix/api/v2/object/?uuid={OBJECT}"
    assert headers["X-API-KEY"] == TOKEN


@pytest.mark.parametrize("flag", [["--verbose"], ["-v", "2"]])
def test_verbose_prints_the_object(mosp, flag):
    out = run("--uuid", str(OBJECT), *flag)
    assert '"name": "Climatic phenomenon"' in out
    assert out.strip().endswith("is published on " + mosp.url + ".")
    assert '"name"' not in run("--uuid", str(OBJECT))


def test_it_reports_an_unknown_object(mosp):
    other = uuid.uuid4()
    assert run("--uuid", str(other)).strip() == f"{other} is not published on {mosp.url}."


def test_without_a_token_no_key_is_sent(mosp, settings):
    settings.MOSP_TOKEN = ""
    run("--uuid", str(OBJECT))
    assert "X-API-KEY" not in mosp.requests[0][1]


@pytest.mark.parametrize(
    ("status", "raw", "message"),
    [
        (403, b'{"message": "bad key"}', "refused the request (check MOSP_TOKEN)"),
        (500, b"boom", "answered with an error: HTTP 500"),
        (200, b"<html>", "answer is not JSON"),
        (200, b'{"objects": []}', "Unexpected answer from MOSP"),
    ],
)
def test_it_explains_failures(mosp, status, raw, message):
    mosp.status, mosp.raw = status, raw
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run("--uuid", str(OBJECT))


def test_it_explains_an_unreachable_mosp(settings):
    settings.MOSP_URL = "http://127.0.0.1:1/"
    settings.SHARING_HTTP_RETRIES = 0
    with pytest.raises(CommandError, match="is unreachable"):
        run("--uuid", str(OBJECT), "--timeout", "2")


def test_it_rejects_a_bad_uuid(settings):
    with pytest.raises(CommandError, match="not a valid UUID"):
        run("--uuid", "nope")


def test_it_never_sends_mosp_token_to_the_host_a_redirect_names(mosp):
    # Two real servers: MOSP_URL redirects to another port of 127.0.0.1.
    elsewhere = FakeMosp()
    try:
        mosp.status, mosp.raw = 302, b""
        mosp.location = f"{elsewhere.url}api/v2/object/?uuid={OBJECT}"
        with pytest.raises(CommandError, match="never sent to another host"):
            run("--uuid", str(OBJECT))
        assert mosp.requests[0][1]["X-API-KEY"] == TOKEN
        assert elsewhere.requests == []
    finally:
        elsewhere.close()
