"""Fixtures shared by every app's tests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from clients import services
from clients.models import Client
from stats.demo import as_incoming
from stats.services import ingest_batch
from stats.validation import validate_batch
from statsservice.testing.seed import (
    COMMON,
    RARE,
    SMALL_CARTOGRAPHY,
    VULN,
    compliance_payload,
    daily_batch,
    day,
    item,
    record,
    risk_payload,
)


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


# Seeding: records go in through validation and the real ingest, as a POST stores them.


@pytest.fixture
def store(db) -> Callable[..., None]:
    """store(client, *records): store records (dicts as MONARC sends them) for `client`.

    With `validate=False` they skip validation, for payloads it would refuse (the maintenance
    commands keep whatever is stored)."""

    def store(client: Client, *records: dict[str, Any], validate: bool = True) -> None:
        if validate:
            incoming = validate_batch(list(records), max_records=10_000)
        else:
            incoming = as_incoming(list(records))
        ingest_batch(client=client, records=incoming)

    return store


@pytest.fixture
def store_days(store) -> Callable[..., list[str]]:
    """store_days(client, days, analyses=1): MONARC's daily batch (the five sample records per
    analysis) on each day, for `analyses` new analyses or the given list; returns their uuids."""

    def store_days(client: Client, days: Iterable[str], analyses: int | list[str] = 1) -> list[str]:
        if isinstance(analyses, int):
            analyses = [str(uuid.uuid4()) for _ in range(analyses)]
        for when in days:
            store(client, *daily_batch(when, analyses))
        return analyses

    return store_days


@pytest.fixture
def contribute(store) -> Callable[..., str]:
    """contribute(client, index=, offset=0, anr=None, rare=False): one analysis of `client`
    with the five record types dated today - offset; COMMON's figures grow with `index`, and
    `rare` adds RARE. Returns the analysis."""

    def contribute(
        client: Client, *, index: int, offset: int = 0, anr: str | None = None, rare: bool = False
    ) -> str:
        anr = anr or str(uuid.uuid4())
        when = day(offset)
        rate = f"{1 + index * 0.5:.2f}"
        threats = [
            item(COMMON, 2 + index, 10 + index, rate, label1="Écoute", label2="Eavesdropping")
        ]
        if rare:
            threats.append(item(RARE, 9, 20, "4", label2="Only one organisation"))
        vulnerabilities = [item(VULN, 1, 5, "2", label2="Single point of failure")]
        store(
            client,
            record("risk", when, anr, risk_payload(10 * (index + 1), 5, index)),
            record("threat", when, anr, threats),
            record("vulnerability", when, anr, vulnerabilities),
            record("cartography", when, anr, SMALL_CARTOGRAPHY),
            record("compliance", when, anr, compliance_payload(f"{0.2 * (index + 1):.2f}")),
        )
        return anr

    return contribute


@pytest.fixture
def contributors(contribute) -> Callable[..., list[Client]]:
    """contributors(count, start=0, **client_fields): `count` sharing clients placed in one
    area of the map, one analysis each (contribute); the first also reports RARE."""

    def contributors(count: int, *, start: int = 0, **client_kwargs: Any) -> list[Client]:
        made = []
        for index in range(start, start + count):
            client, _ = services.create_client(
                name=f"org-{index}",
                # A few hundred metres apart: one area of the public map.
                latitude=49.6 + index / 1000,
                longitude=6.1 + index / 1000,
                **client_kwargs,
            )
            contribute(client, index=index, rare=index == start)
            made.append(client)
        return made

    return contributors
