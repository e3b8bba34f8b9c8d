"""Scripted HTTP servers on 127.0.0.1 that fail or misbehave on purpose (sharing and HTTP tests)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DROP = "drop"  # close the connection without answering


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


class Hostile:
    """A recording remote: each request is answered by `answer(handler)`. Misbehaving on
    purpose is what it is for (FakeRemote below scripts well-formed answers over it).

    The helpers below are such answers: a trickle, an endless answer, pages without end.
    Requests (with their headers) are recorded in `seen`.
    """

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.seen: list[Seen] = []
        self.stop = threading.Event()
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                remote.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                # A client giving up mid-answer is what a bounded client does.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Hostile:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


class FakeRemote(Hostile):
    """Answers each request with the next scripted Answer (or DROP); the last one repeats."""

    def __init__(self, script: list[Answer | str]) -> None:
        self.script = list(script)
        super().__init__(self._scripted)

    def _scripted(self, handler: BaseHTTPRequestHandler) -> None:
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if answer == DROP:
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        assert isinstance(answer, Answer)
        payload = answer.raw
        if payload is None:
            payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        handler.send_response(answer.status)
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        if answer.raw is None and answer.body is not None:
            handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)


class Proxy:
    """Forwards to `upstream` until told otherwise: the remote "goes down" on cue.

    `fail_after`: forward that many requests, then answer every other one with `down_status`
    (0 = close the connection without answering). `hang_after`: forward that many, then hold
    the next requests until `release` is set (to kill a client mid-request). `gate`: when set
    to an Event, every request waits for it, then is forwarded (holds a run mid-push).
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.fail_after: int | None = None
        self.hang_after: int | None = None
        self.down_status = 503
        self.forwarded = 0
        self.seen = 0
        self.hanging = threading.Event()
        self.gate: threading.Event | None = None
        self.waiting = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.seen += 1
                if proxy.gate is not None:
                    proxy.waiting.set()
                    proxy.gate.wait(timeout=60)
                if proxy.hang_after is not None and proxy.forwarded >= proxy.hang_after:
                    proxy.hanging.set()
                    proxy.release.wait(timeout=60)
                    self.close_connection = True
                    return
                if proxy.fail_after is not None and proxy.forwarded >= proxy.fail_after:
                    if proxy.down_status == 0:
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    self.send_response(proxy.down_status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() in ("content-type", "x-api-key", "user-agent", "accept")
                }
                request = urllib.request.Request(
                    proxy.upstream + self.path, data=body, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as answer:
                        status, payload = answer.status, answer.read()
                        ctype = answer.headers.get("Content-Type", "application/json")
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                    ctype = error.headers.get("Content-Type", "application/json")
                proxy.forwarded += 1
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def query(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(handler.path).query).items()}


def trickle(
    every: float = 0.2, stop: threading.Event | None = None
) -> Callable[[BaseHTTPRequestHandler], None]:
    """A 200 announcing a megabyte, then one byte every `every` seconds, for ever."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b'{"data":[')
        handler.wfile.flush()
        while not (stop is not None and stop.is_set()):
            time.sleep(every)
            handler.wfile.write(b" ")
            handler.wfile.flush()

    return answer


def endless(size: int, *, gzipped: bool = False) -> Callable[[BaseHTTPRequestHandler], None]:
    """A 200 of `size` bytes of JSON whitespace, announced by no Content-Length: the end is
    only known when the connection closes. `gzipped`: sent as gzip (a small bomb)."""
    block = b" " * (1024 * 1024)

    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if gzipped:
            handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()
        out = handler.wfile
        packer = zlib.compressobj(9, zlib.DEFLATED, 31) if gzipped else None
        sent = 0
        chunk = b'{"data":['
        while sent < size:
            out.write(packer.compress(chunk) if packer else chunk)
            sent += len(chunk)
            chunk = block
        if packer:
            out.write(packer.flush())
        handler.close_connection = True

    return answer


def pages(
    make_page: Callable[[int], list[dict[str, Any]]],
) -> Callable[[BaseHTTPRequestHandler], None]:
    """Full pages of `make_page(limit)` records without a count, whatever the offset."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        limit = int(query(handler).get("limit", "10"))
        payload = json.dumps({"data": make_page(limit)}).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    return answer
