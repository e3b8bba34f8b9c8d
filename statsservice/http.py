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
  and silently drop the body (the very MONARC bug the API avoids by never redirecting).

Retrying a POST is safe for this service's API: the receiver upserts on (analysis, type, date)
and keeps record uuids, so a chunk sent twice is stored once.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import logging
import random
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

log = logging.getLogger(__name__)

API_KEY_HEADER = "X-API-KEY"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504}) | frozenset(range(505, 600))
# How much of a non-JSON error body ends up in a message.
MESSAGE_SNIPPET = 200


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


def _error_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return text[:MESSAGE_SNIPPET] or (response.reason or "no message")
    if isinstance(body, dict):
        for key in ("Error", "error", "detail", "message"):
            if isinstance(body.get(key), str):
                return body[key]
    return jsonlib.dumps(body)[:MESSAGE_SNIPPET]


def _parse_body(response: requests.Response, url: str, attempts: int) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise RemoteError(
            f"the answer is not JSON: {response.text[:MESSAGE_SNIPPET]!r}",
            status=response.status_code,
            url=url,
            attempts=attempts,
        ) from None


class RemoteClient:
    """A remote service at `base_url`, with one keep-alive session and one token.

    `request(method, path, ...)` joins `path` to the base URL (prefix kept) and behaves like
    `request_json`. Use it for runs that make many calls (a push of many chunks).
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
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "statsservice-sharing/1"
        self.session.headers["Accept"] = "application/json"

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
        or not allowed, or a non-JSON success body.
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
        follow = method in ("GET", "HEAD")
        attempt = 0
        while True:
            attempts = attempt + 1
            wait: float | None = None
            try:
                response = self.session.request(
                    method,
                    url,
                    data=data,
                    params=params,
                    headers=send_headers,
                    timeout=self.timeout,
                    allow_redirects=follow,
                )
            except requests.RequestException as exc:
                # Connection refused/reset, DNS, timeouts, invalid chunked answers: transient.
                if attempt >= self.retries:
                    raise RemoteError(
                        f"unreachable: {type(exc).__name__}: {exc}", url=url, attempts=attempts
                    ) from exc
                log.warning("%s %s failed (%s), retrying", method, url, type(exc).__name__)
            else:
                status = response.status_code
                if status < 300:
                    return status, _parse_body(response, url, attempts)
                if status < 400:
                    raise RemoteError(
                        f"redirected to {response.headers.get('Location', '?')}; "
                        "fix the configured base URL",
                        status=status,
                        url=url,
                        attempts=attempts,
                    )
                if status not in RETRY_STATUSES or attempt >= self.retries:
                    raise RemoteError(
                        _error_message(response), status=status, url=url, attempts=attempts
                    )
                wait = _retry_after(response, self.max_retry_after)
                log.warning("%s %s answered %s, retrying", method, url, status)
            self.sleep(wait if wait is not None else self._delay(attempt))
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
    ) as client:
        return client.request(method, "", json=json, params=params, headers=headers)
