"""The production server (gunicorn.conf.py) against real sockets: clients that trickle their
headers or bodies do not stop /healthz or the API, chunked uploads are read, and the
auth-failure count is shared by the workers."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from statsservice.testing.live import HOST, MONARC_AGENT, Instance
from statsservice.testing.seed import sized_batch

pytestmark = pytest.mark.live

BODY_LIMIT = 256 * 1024
# Generous: the point is that the answer comes at all, not how fast.
ANSWER_TIMEOUT = 20


@pytest.fixture(scope="module")
def instance():
    env = {"API_MAX_BODY_SIZE": str(BODY_LIMIT), "AUTH_FAILURE_RATE": "3/m"}
    with Instance("slow", **env) as live:
        live.start()
        _, live.token = live.create_client("FO slow")
        yield live


@contextlib.contextmanager
def tricklers(port: int, *, headers: int, bodies: int) -> Iterator[None]:
    """Sockets that send a request's headers, or its body, one byte at a time, until closed."""
    stop = threading.Event()
    sockets = []
    for index in range(headers + bodies):
        sock = socket.create_connection((HOST, port), timeout=5)
        if index >= headers:
            # Complete headers announcing a body that never quite comes.
            sock.sendall(
                b"POST /api/v1/stats/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n["
            )
        else:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(sock)

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(b"a" if sockets.index(sock) < headers else b" ")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(1.5)  # every trickler has been handed to a worker thread by now
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def call(port: int, method: str, path: str, **kw) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=ANSWER_TIMEOUT)
    try:
        connection.request(method, path, **kw)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_healthz_and_the_api_answer_while_clients_trickle_headers_and_bodies(instance):
    with tricklers(instance.port, headers=3, bodies=2):
        for _ in range(3):
            assert call(instance.port, "GET", "/healthz")[0] == 200
            headers = {"X-API-KEY": instance.token, "User-Agent": MONARC_AGENT}
            status, body = call(instance.port, "GET", "/api/v1/client/me", headers=headers)
            assert status == 200, body


def chunked_post(port: int, token: str, payload: bytes) -> tuple[int, bytes]:
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 8192):
            yield payload[start : start + 8192]

    headers = {
        "X-API-KEY": token,
        "User-Agent": MONARC_AGENT,
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    return call(port, "POST", "/api/v1/stats/", body=chunks(), headers=headers, encode_chunked=True)


def test_a_chunked_upload_without_content_length_is_stored(instance):
    batch = sized_batch("2026-11-20", [f"00000000-0000-4000-8000-{n:012d}" for n in range(3)])
    payload = json.dumps(batch).encode()
    assert len(payload) < BODY_LIMIT
    status, body = chunked_post(instance.port, instance.token, payload)
    assert status == 201, body[:300]
    assert json.loads(body)["metadata"]["count"] == len(batch)


def test_a_chunked_upload_over_the_body_limit_answers_413(instance):
    payload = b"[" + b" " * BODY_LIMIT + b"]"
    status, body = chunked_post(instance.port, instance.token, payload)
    assert status == 413
    assert "larger than" in json.loads(body)["Error"]


def test_auth_failures_are_counted_across_workers_and_never_block_a_valid_key(instance):
    # Each call is a new connection, which either worker may take.
    statuses = [
        call(instance.port, "GET", "/api/v1/client/me", headers={"X-API-KEY": f"{n}-bad-key-123"})[
            0
        ]
        for n in range(6)
    ]
    assert statuses[:3] == [403, 403, 403]
    assert set(statuses[3:]) == {429}
    headers = {"X-API-KEY": instance.token}
    assert call(instance.port, "GET", "/api/v1/client/me", headers=headers)[0] == 200
