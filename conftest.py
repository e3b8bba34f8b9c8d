"""Fixtures shared by every app's tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from clients import services
from clients.models import Client


@dataclass
class Reply:
    status_code: int
    headers: Any
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Api:
    """Calls the API like MONARC does: X-API-KEY, JSON bodies (on GET too), optional User-Agent."""

    def __init__(self, http: HttpClient, token: str | None) -> None:
        self.http = http
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | str | None = None,
    ):
        extra = dict(headers or {})
        key = token if token is not None else self.token
        if key is not None:
            extra["X-API-KEY"] = key
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = self.http.generic(
            method, path, data=data, content_type="application/json", headers=extra
        )
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return Reply(response.status_code, response.headers, content)

    def get(self, path: str, body: Any = None, **kw):
        return self.call("GET", path, body, **kw)

    def post(self, path: str, body: Any = None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw):
        return self.call("DELETE", path, **kw)


@pytest.fixture
def make_client(db) -> Callable[..., tuple[Client, str]]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **kwargs: Any) -> tuple[Client, str]:
        return services.create_client(name=name or f"client-{next(counter)}", **kwargs)

    return make


@pytest.fixture
def user_client(make_client) -> tuple[Client, str]:
    return make_client("monarc-a")


@pytest.fixture
def other_client(make_client) -> tuple[Client, str]:
    return make_client("monarc-b")


@pytest.fixture
def admin_client_api(make_client) -> tuple[Client, str]:
    return make_client("admin", role=Client.Role.ADMIN)


@pytest.fixture
def api(user_client) -> Api:
    return Api(HttpClient(), user_client[1])


@pytest.fixture
def api_b(other_client) -> Api:
    return Api(HttpClient(), other_client[1])


@pytest.fixture
def api_admin(admin_client_api) -> Api:
    return Api(HttpClient(), admin_client_api[1])


@pytest.fixture
def anon(db) -> Api:
    return Api(HttpClient(), None)
