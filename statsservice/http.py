"""Outbound HTTP: the only module of the project that imports `requests`.

It lives in the project package so that the apps calling out (sharing, and stats for MOSP) share
it without importing each other. Every call to another Stats Service (push, pull, withdraw) or to
MOSP goes through `request_json` or a `RemoteClient`, so the rules below hold everywhere:

- fixed timeouts: (connect, read) seconds, never unbounded;
- retries with exponential backoff on connection errors, timeouts, 5xx and 429, honouring a
  429/503 `Retry-After` up to a cap; no retry on any other 4xx (a rejected token stays rejected);
- one exception type, `RemoteError`, carrying the HTTP status (None when no answer came);
- the base URL's path prefix is kept (`https://host/stats/` + `api/v1/x` ->
  `https://host/stats/api/v1/x`);
- non-GET requests never follow redirects: `requests` would turn a redirected POST into a GET
  and silently drop the body (the very MONARC bug the API avoids by never redirecting);
- a key never leaves its host: a GET carrying a token follows a redirect only to the same
  scheme, host and port (`requests` would send a custom header like X-API-KEY anywhere);
- every answer is streamed and read through bounds: at most `max_answer_bytes` (after gzip
  inflation, done here under the same bound), and never past the caller's `Deadline`, which also
  caps retries and the read timeout, so a remote trickling bytes cannot hold a run;
- a JSON answer is parsed with the API parser's rules (no NaN, a depth limit, storable text).

Retrying a POST is safe for this service's API: the receiver upserts on (analysis, type, date)
and keeps record uuids, so a chunk sent twice is stored once.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings

from statsservice.jsontext import JSONRefused, parse_bounded

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-KEY"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))
# How much of a non-JSON error body ends up in a message.
MESSAGE_SNIPPET = 200
# How much of an error answer is read (the rest is dropped with the connection).
ERROR_BODY_LIMIT = 64 * 1024
READ_CHUNK = 64 * 1024
MAX_REDIRECTS = 5
# A page of records wraps what the API takes (a list of records) in one more object.
ANSWER_EXTRA_DEPTH = 1
DEFAULT_PORTS = {"http": 80, "https": 443}


class RemoteError(Exception):
    """A call to a remote service failed for good (after any retries).

    `status` is the last HTTP status received, or None when the remote could not be reached
    (connection refused, DNS failure, timeout). `message` is the remote's own error text when it
    sent one (`{"Error": ...}`, `{"detail": ...}`), else a short description.
    """

    def __init__(
        self, message: str, *, status: int | None = None, url: str = "", attempts: int = 1
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.url = url
        self.attempts = attempts

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        code = f"HTTP {self.status}: " if self.status is not None else ""
        return f"{code}{self.message}{where}"

    @property
    def unreachable(self) -> bool:
        return self.status is None

    @property
    def rejected(self) -> bool:
        """The remote refused the credentials (401/403)."""
        return self.status in (401, 403)


class LimitExceeded(RemoteError):
    """A bound of this side was reached (the deadline, the answer size): never retried."""

    @property
    def unreachable(self) -> bool:
        return False


@dataclass(frozen=True)
class Deadline:
    """An instant (`time.monotonic()`) after which no request starts and no answer is read.

    `reason` names what set it, for the operator (e.g. "SHARING_RUN_DEADLINE of 3600 s").
    """

    at: float
    reason: str

    @classmethod
    def after(cls, seconds: float, reason: str) -> Deadline:
        return cls(time.monotonic() + seconds, reason)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.remaining() <= 0

    def check(self, url: str, attempts: int = 1) -> None:
        if self.passed:
            raise LimitExceeded(f"stopped: {self.reason} passed", url=url, attempts=attempts)


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def join_url(base: str, path: str) -> str:
    """`base` + `path`, keeping any path prefix of `base` (urljoin would drop it).

    A `path` that is already absolute (`http://…`) is returned as is.
    """
    if urlsplit(path).scheme:
        return path
    if not path:
        return base
    return base.rstrip("/") + "/" + path.lstrip("/")


def _retry_after(response: requests.Response, cap: float) -> float | None:
    """Seconds asked by `Retry-After` (delta or HTTP date), capped; None when absent/invalid."""
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), cap)


def _error_message(body: bytes, reason: str) -> str:
    try:
        parsed = jsonlib.loads(body)
    except ValueError:
        text = body.decode("utf-8", "replace").strip().replace("\n", " ")
        return text[:MESSAGE_SNIPPET] or (reason or "no message")
    if isinstance(parsed, dict):
        for key in ("Error", "error", "detail", "message"):
            if isinstance(parsed.get(key), str):
                return parsed[key]
    return jsonlib.dumps(parsed)[:MESSAGE_SNIPPET]


def _parse_body(body: bytes, *, max_depth: int, status: int, url: str, attempts: int) -> Any:
    if not body:
        return None
    try:
        return parse_bounded(body, max_depth=max_depth)
    except JSONRefused as exc:
        snippet = body[:MESSAGE_SNIPPET].decode("utf-8", "replace")
        raise RemoteError(
            f"the answer is not JSON as the API takes it ({exc}): {snippet!r}",
            status=status,
            url=url,
            attempts=attempts,
        ) from None


def same_origin(first: str, second: str) -> bool:
    """Same scheme, host and port (a missing port is the scheme's default)."""
    a, b = urlsplit(first), urlsplit(second)
    try:
        ports = (a.port or DEFAULT_PORTS.get(a.scheme), b.port or DEFAULT_PORTS.get(b.scheme))
    except ValueError:
        return False
    return (a.scheme, (a.hostname or "").lower(), ports[0]) == (
        b.scheme,
        (b.hostname or "").lower(),
        ports[1],
    )


class _Body:
    """Reads a streamed answer within a byte limit and a deadline, inflating gzip itself."""

    def __init__(self, response: requests.Response, *, limit: int, url: str) -> None:
        self.response = response
        self.limit = limit
        self.url = url
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        if encoding not in ("", "identity", "gzip"):
            raise RemoteError(
                f"unsupported Content-Encoding {encoding[:40]!r}",
                status=response.status_code,
                url=url,
            )
        # wbits 31: a gzip stream; output is bounded per call by max_length.
        self.inflater = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
        self.data = bytearray()

    def too_large(self) -> LimitExceeded:
        return LimitExceeded(
            f"the answer is larger than {self.limit} bytes (SHARING_HTTP_MAX_ANSWER_BYTES)",
            status=self.response.status_code,
            url=self.url,
        )

    def read(self, deadline: Deadline | None, *, truncate: bool = False) -> bytes:
        """The whole body; LimitExceeded beyond the limit (or its start, when `truncate`)."""
        declared = self.response.headers.get("Content-Length", "")
        if self.inflater is None and declared.isdigit() and int(declared) > self.limit:
            if truncate:
                return b""
            raise self.too_large()
        raw = self.response.raw
        while True:
            if deadline is not None:
                deadline.check(self.url)
            # read1: what one read brings, so a trickle is seen between reads.
            chunk = raw.read1(READ_CHUNK, decode_content=False)
            if not chunk:
                break
            if not self._add(chunk):
                if truncate:
                    return bytes(self.data[: self.limit])
                raise self.too_large()
        if self.inflater is not None and not self.inflater.eof and not truncate:
            raise RemoteError(
                "the gzip answer is truncated", status=self.response.status_code, url=self.url
            )
        return bytes(self.data)

    def _add(self, chunk: bytes) -> bool:
        """Append `chunk` (inflated); False once the body is over the limit."""
        if self.inflater is None:
            self.data += chunk
            return len(self.data) <= self.limit
        pending = chunk
        while pending and not self.inflater.eof:
            try:
                piece = self.inflater.decompress(pending, self.limit + 1 - len(self.data))
            except zlib.error as exc:
                raise RemoteError(
                    f"the gzip answer is corrupt: {exc}",
                    status=self.response.status_code,
                    url=self.url,
                ) from None
            self.data += piece
            if len(self.data) > self.limit:
                return False
            pending = self.inflater.unconsumed_tail
        return True


class RemoteClient:
    """A remote service at `base_url`, with one keep-alive session and one token.

    `request(method, path, ...)` joins `path` to the base URL (prefix kept) and behaves like
    `request_json`. Use it for runs that make many calls (a push of many chunks). `deadline`
    bounds the whole run of calls; `max_answer_bytes` each answer (default: the settings).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        token_header: str = API_KEY_HEADER,
        timeout: tuple[float, float] | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        max_retry_after: float | None = None,
        deadline: Deadline | None = None,
        max_answer_bytes: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RemoteError(f"not an http(s) URL: {base_url!r}", url=base_url)
        self.base_url = base_url
        self.token = token
        self.token_header = token_header
        self.timeout = timeout or (
            _setting("SHARING_HTTP_CONNECT_TIMEOUT", 5.0),
            _setting("SHARING_HTTP_READ_TIMEOUT", 60.0),
        )
        self.retries = int(_setting("SHARING_HTTP_RETRIES", 4) if retries is None else retries)
        self.backoff = _setting("SHARING_HTTP_BACKOFF", 1.0) if backoff is None else backoff
        self.max_retry_after = (
            _setting("SHARING_HTTP_MAX_RETRY_AFTER", 60.0)
            if max_retry_after is None
            else max_retry_after
        )
        self.deadline = deadline
        self.max_answer_bytes = int(
            _setting("SHARING_HTTP_MAX_ANSWER_BYTES", 64 * 1024 * 1024)
            if max_answer_bytes is None
            else max_answer_bytes
        )
        self.max_depth = int(_setting("API_MAX_JSON_DEPTH", 32)) + ANSWER_EXTRA_DEPTH
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "statsservice-sharing/1"
        self.session.headers["Accept"] = "application/json"
        # Only what _Body inflates under its bound.
        self.session.headers["Accept-Encoding"] = "gzip"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RemoteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _delay(self, attempt: int) -> float:
        # Exponential backoff with jitter so several instances do not retry in lockstep.
        base = self.backoff * (2**attempt)
        return min(base + random.uniform(0, self.backoff), self.max_retry_after)  # noqa: S311

    def _timeout(self) -> tuple[float, float]:
        connect, read = self.timeout
        if self.deadline is None:
            return connect, read
        left = max(self.deadline.remaining(), 0.05)
        return min(connect, left), min(read, left)

    def _wait(self, seconds: float, url: str, attempts: int) -> None:
        if self.deadline is not None and seconds >= self.deadline.remaining():
            raise LimitExceeded(
                f"stopped: {self.deadline.reason} would pass before the next retry",
                url=url,
                attempts=attempts,
            )
        self.sleep(seconds)

    def _redirect(self, method: str, url: str, response: requests.Response, attempts: int) -> str:
        """Where a GET may follow a redirect; RemoteError if it may not."""
        location = response.headers.get("Location", "")
        target = urljoin(url, location)
        allowed = method in ("GET", "HEAD") and urlsplit(target).scheme in ("http", "https")
        if allowed and self.token is not None:
            # The key goes along: only to where it was meant for.
            allowed = same_origin(url, target)
        if not allowed:
            raise RemoteError(
                f"redirected to {location[:MESSAGE_SNIPPET] or '?'}; not followed "
                "(the key is never sent to another host): fix the configured base URL",
                status=response.status_code,
                url=url,
                attempts=attempts,
            )
        return target

    def request(
        self,
        method: str,
        path: str = "",
        *,
        json: Any = None,
        data: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Send one request, retrying per the module rules; return (status, parsed JSON or None).

        `data` sends pre-encoded JSON bytes (so a caller can measure the chunk it sends).
        Raises RemoteError on connection failure, any status >= 300 once retries are exhausted
        or not allowed, or a non-JSON success body; LimitExceeded past a bound.
        """
        method = method.upper()
        url = join_url(self.base_url, path)
        send_headers = dict(headers or {})
        if self.token is not None:
            send_headers[self.token_header] = self.token
        if json is not None and data is None:
            data = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode()
        if data is not None:
            send_headers.setdefault("Content-Type", "application/json")
        attempt = 0
        redirects = 0
        while True:
            attempts = attempt + 1
            wait: float | None = None
            if self.deadline is not None:
                self.deadline.check(url, attempts)
            try:
                with self.session.request(
                    method,
                    url,
                    data=data,
                    params=params,
                    headers=send_headers,
                    timeout=self._timeout(),
                    allow_redirects=False,
                    stream=True,
                ) as response:
                    status = response.status_code
                    if 300 <= status < 400:
                        if redirects >= MAX_REDIRECTS:
                            raise RemoteError(
                                "too many redirects", status=status, url=url, attempts=attempts
                            )
                        # The Location carries its own query string.
                        url, params = self._redirect(method, url, response, attempts), None
                        redirects += 1
                        continue
                    if status < 300:
                        body = _Body(response, limit=self.max_answer_bytes, url=url)
                        raw = body.read(self.deadline)
                        return status, _parse_body(
                            raw, max_depth=self.max_depth, status=status, url=url, attempts=attempts
                        )
                    limit = min(self.max_answer_bytes, ERROR_BODY_LIMIT)
                    error = _Body(response, limit=limit, url=url).read(self.deadline, truncate=True)
                    if status not in RETRY_STATUSES or attempt >= self.retries:
                        raise RemoteError(
                            _error_message(error, response.reason),
                            status=status,
                            url=url,
                            attempts=attempts,
                        )
                    wait = _retry_after(response, self.max_retry_after)
                    log.warning("%s %s answered %s, retrying", method, url, status)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                # Connection refused/reset, DNS, timeouts, invalid chunked answers: transient.
                if attempt >= self.retries:
                    raise RemoteError(
                        f"unreachable: {type(exc).__name__}: {exc}", url=url, attempts=attempts
                    ) from exc
                log.warning("%s %s failed (%s), retrying", method, url, type(exc).__name__)
            self._wait(wait if wait is not None else self._delay(attempt), url, attempts)
            attempt += 1


def request_json(
    method: str,
    url: str,
    *,
    token: str | None = None,
    token_header: str = API_KEY_HEADER,
    json: Any = None,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: tuple[float, float] | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    deadline: Deadline | None = None,
) -> tuple[int, Any]:
    """One call to a full `url` (e.g. `join_url(settings.MOSP_URL, "api/v2/object/")`).

    Returns (status, parsed JSON body or None when empty). Raises RemoteError; see RemoteClient.
    Defaults come from the SHARING_HTTP_* settings.
    """
    with RemoteClient(
        url,
        token=token,
        token_header=token_header,
        timeout=timeout,
        retries=retries,
        backoff=backoff,
        deadline=deadline,
    ) as client:
        return client.request(method, "", json=json, params=params, headers=headers)
