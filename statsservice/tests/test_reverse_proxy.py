"""Production serving behind a reverse proxy under a URL prefix (gunicorn on 127.0.0.1).

A small proxy plays nginx's `location /dashboard/ { proxy_pass http://127.0.0.1:PORT/; }` with
TLS termination: it merges doubled slashes, strips the prefix and adds `X-Forwarded-Proto: https`.
The service runs with FORCE_SCRIPT_NAME=/dashboard and the README's TLS switches.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from statsservice.testing.live import Gunicorn, Instance

pytestmark = pytest.mark.live

PREFIX = "/dashboard"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}


class PrefixProxy:
    def __init__(self, upstream_port: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                path = re.sub("/{2,}", "/", self.path)  # nginx merge_slashes
                if not path.startswith(PREFIX + "/"):
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["X-Forwarded-Proto"] = "https"
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=60)
                upstream.request(self.command, path[len(PREFIX) :], body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                upstream.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in HOP_BY_HOP | {"content-length"}:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, response.headers, body

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def deployed() -> Iterator[tuple[Gunicorn, PrefixProxy, str]]:
    with Instance(
        "proxied",
        workers=2,
        FORCE_SCRIPT_NAME=PREFIX,
        SECURE_PROXY_SSL_HEADER="1",
        SECURE_SSL_REDIRECT="1",
        SECURE_COOKIES="1",
        SECURE_HSTS_SECONDS="3600",
    ) as live:
        _, token = live.create_client("live-0")
        live.start()
        proxy = PrefixProxy(live.port)
        yield live.server, proxy, token
        proxy.close()


def test_monarc_reaches_the_api_through_the_prefix_with_a_doubled_slash(deployed):
    _, proxy, token = deployed
    status, headers, body = proxy.get(
        f"/{PREFIX}/api/v1/client/me", {"X-API-KEY": token, "User-Agent": "MONARC/2.14.1"}
    )
    assert status == 200, body
    assert b'"name":"live-0"' in body
    assert headers["Strict-Transport-Security"] == "max-age=3600"


def test_the_api_is_never_redirected_to_https_even_under_a_prefix(deployed):
    server, _, _ = deployed
    # Straight to gunicorn, without X-Forwarded-Proto: pages redirect, the API must not.
    status, _ = server.request("GET", "/api/v1/client/me")
    assert status == 401
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", "/admin/login/")
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{server.port}{PREFIX}/admin/login/"


def test_the_api_docs_and_their_assets_load_through_the_prefix(deployed):
    _, proxy, _ = deployed
    status, headers, body = proxy.get(f"{PREFIX}/api/v1/")
    assert status == 200
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    html = body.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith(f"{PREFIX}/") for url in assets), assets
    for url in assets:
        status, _, _ = proxy.get(url.replace("&amp;", "&"))
        assert status == 200, url
    init_script = proxy.get(assets[-1].replace("&amp;", "&"))[2].decode()
    assert f"{PREFIX}/api/v1/schema" in init_script
