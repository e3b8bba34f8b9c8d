"""Repeated authentication failures from one address are throttled with 429."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache
from django.test import Client as HttpClient

from conftest import Api


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    settings.AUTH_FAILURE_RATE = "3/m"
    cache.clear()
    yield
    cache.clear()


def test_it_answers_429_once_an_address_has_failed_too_often(api, caplog):
    caplog.set_level(logging.WARNING, logger="statsservice.auth")
    for _ in range(3):
        assert api.get("/api/v1/client/me", token="wrong-token-123456789").status_code == 403

    reply = api.get("/api/v1/client/me", token="wrong-token-123456789")

    assert reply.status_code == 429
    assert reply.json()["Error"].startswith("Too many failed authentication attempts.")
    assert int(reply.headers["Retry-After"]) >= 1
    assert any("reached 3/m" in r.getMessage() for r in caplog.records)


def test_a_blocked_address_is_refused_even_with_a_valid_token(api):
    # Otherwise the answer would still tell a guessed token from a wrong one.
    for _ in range(3):
        api.get("/api/v1/client/me", token="wrong-token-123456789")
    assert api.get("/api/v1/client/me").status_code == 429


def test_other_addresses_are_not_affected(api, user_client):
    for _ in range(4):
        api.get("/api/v1/client/me", token="wrong-token-123456789")
    elsewhere = Api(HttpClient(REMOTE_ADDR="10.9.9.9"), user_client[1])
    assert elsewhere.get("/api/v1/client/me").status_code == 200
    assert api.get("/api/v1/client/me").status_code == 429


def test_successful_and_missing_keys_do_not_count(api, anon):
    for _ in range(5):
        assert api.get("/api/v1/client/me").status_code == 200
        assert anon.get("/api/v1/client/me").status_code == 401
    assert api.get("/api/v1/client/me").status_code == 200


def test_a_spoofed_forwarded_for_header_does_not_escape_the_throttle(api):
    for index in range(4):
        api.get(
            "/api/v1/client/me",
            token="wrong-token-123456789",
            headers={"X-Forwarded-For": f"198.51.100.{index}"},
        )
    reply = api.get(
        "/api/v1/client/me",
        token="wrong-token-123456789",
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert reply.status_code == 429


def test_an_empty_rate_disables_it(api, settings):
    settings.AUTH_FAILURE_RATE = ""
    for _ in range(5):
        assert api.get("/api/v1/client/me", token="wrong-token-123456789").status_code == 403
