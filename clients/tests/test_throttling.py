"""Repeated authentication failures are throttled with 429; a valid key always passes."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient

from clients.models import AuthFailure
from clients.throttling import parse_rate
from conftest import Api

ME = "/api/v1/client/me"
WRONG = "wrong-token-123456789"


@pytest.fixture(autouse=True)
def rate(settings):
    settings.AUTH_FAILURE_RATE = "3/m"


def from_address(address: str, token: str | None, **headers: str) -> Api:
    return Api(HttpClient(REMOTE_ADDR=address, headers=headers), token)


def test_it_answers_429_once_an_address_has_failed_too_often(api, caplog):
    caplog.set_level(logging.WARNING, logger="statsservice.auth")
    for _ in range(3):
        assert api.get(ME, token=WRONG).status_code == 403

    reply = api.get(ME, token=WRONG)

    assert reply.status_code == 429
    assert reply.json()["Error"].startswith("Too many failed authentication attempts.")
    assert int(reply.headers["Retry-After"]) >= 1
    assert any("reached 3/m" in r.getMessage() for r in caplog.records)


def test_a_blocked_address_still_lets_a_valid_key_through(api):
    # Every MONARC instance behind one back office shares an address: one misconfigured
    # instance must not lock the others out.
    for _ in range(5):
        api.get(ME, token=WRONG)
    assert api.get(ME, token=WRONG).status_code == 429
    assert api.get(ME).status_code == 200


def test_other_addresses_are_not_affected(api, user_client):
    for index in range(4):
        api.get(ME, token=f"{index}-wrong-token-123456789")
    elsewhere = from_address("10.9.9.9", "other-wrong-token-1234")
    assert elsewhere.get(ME).status_code == 403
    assert api.get(ME, token="yet-another-wrong-token").status_code == 429


def test_failures_with_one_key_prefix_are_limited_across_addresses(db):
    for index in range(3):
        assert from_address(f"10.0.0.{index}", WRONG).get(ME).status_code == 403
    assert from_address("10.0.0.99", WRONG).get(ME).status_code == 429
    assert from_address("10.0.0.99", "another-token-1234567").get(ME).status_code == 403


def test_the_count_is_kept_in_the_database_for_every_worker(api):
    for _ in range(2):
        api.get(ME, token=WRONG)
    assert AuthFailure.objects.filter(scope="addr:127.0.0.1").count() == 2


def test_failures_older_than_the_window_are_forgotten_and_deleted(api):
    from datetime import timedelta

    from django.utils import timezone

    for _ in range(3):
        api.get(ME, token=WRONG)
    AuthFailure.objects.update(at=timezone.now() - timedelta(minutes=2))
    assert api.get(ME, token=WRONG).status_code == 403
    assert AuthFailure.objects.filter(scope="addr:127.0.0.1").count() == 1


def test_successful_and_missing_keys_do_not_count(api, anon):
    for _ in range(5):
        assert api.get(ME).status_code == 200
        assert anon.get(ME).status_code == 401
    assert api.get(ME).status_code == 200
    assert not AuthFailure.objects.exists()


def test_a_spoofed_forwarded_for_header_does_not_escape_the_throttle(api):
    for index in range(4):
        api.get(ME, token=f"{index}{WRONG}", headers={"X-Forwarded-For": f"198.51.100.{index}"})
    reply = api.get(ME, token=f"x{WRONG}", headers={"X-Forwarded-For": "198.51.100.99"})
    assert reply.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(db, settings):
    settings.NUM_PROXIES = 1
    for index in range(3):
        proxied = from_address("127.0.0.1", f"{index}{WRONG}", x_forwarded_for="203.0.113.7")
        assert proxied.get(ME).status_code == 403
    blocked = from_address("127.0.0.1", f"z{WRONG}", x_forwarded_for="203.0.113.7")
    assert blocked.get(ME).status_code == 429
    neighbour = from_address("127.0.0.1", f"y{WRONG}", x_forwarded_for="203.0.113.8")
    assert neighbour.get(ME).status_code == 403


def test_a_rotating_forwarded_for_from_an_untrusted_caller_is_ignored(db, settings):
    # NUM_PROXIES=1, but the caller reaches the service directly (not through the proxy).
    settings.NUM_PROXIES = 1
    for index in range(3):
        direct = from_address("192.0.2.5", f"{index}{WRONG}", x_forwarded_for=f"10.1.1.{index}")
        assert direct.get(ME).status_code == 403
    direct = from_address("192.0.2.5", f"q{WRONG}", x_forwarded_for="10.1.1.200")
    assert direct.get(ME).status_code == 429


def test_an_empty_rate_disables_it(api, settings):
    settings.AUTH_FAILURE_RATE = ""
    for _ in range(5):
        assert api.get(ME, token=WRONG).status_code == 403
    assert not AuthFailure.objects.exists()


def test_rates_read_drfs_syntax():
    assert parse_rate("20/m") == (20, 60)
    assert parse_rate("5/hour") == (5, 3600)
    assert parse_rate("") is None
