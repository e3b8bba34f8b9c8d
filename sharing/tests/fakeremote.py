"""A scripted HTTP server on 127.0.0.1 that fails on purpose (for the HTTP module's tests)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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


class FakeRemote:
    """Answers each request with the next scripted Answer (or DROP); the last one repeats."""

    def __init__(self, script: list[Answer | str]) -> None:
        self.script = list(script)
        self.seen: list[Seen] = []
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                remote.seen.append(Seen(self.command, self.path, dict(self.headers), body))
                answer = remote.script.pop(0) if len(remote.script) > 1 else remote.script[0]
                if answer == DROP:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                assert isinstance(answer, Answer)
                payload = answer.raw
                if payload is None:
                    payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.raw is None and answer.body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeRemote:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


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
