"""One structured log line per request."""

from __future__ import annotations

import logging

import pytest
from django.test import Client as HttpClient

from statsservice.request_log import format_fields


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="statsservice.request")

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "statsservice.request"]

    return lines


def test_it_logs_the_client_status_and_duration_of_an_api_call(api, user_client, request_lines):
    client, _ = user_client
    api.get("/api/v1/client/me")
    (line,) = request_lines()
    assert line.startswith("method=GET path=/api/v1/client/me status=200 duration_ms=")
    assert f"client=monarc-a client_uuid={client.uuid} addr=127.0.0.1" in line


def test_streamed_answers_are_logged_once_sent(api, request_lines):
    reply = api.get("/api/v1/stats/", {"type": "risk"})
    assert reply.status_code == 200
    (line,) = request_lines()
    assert "path=/api/v1/stats/ status=200" in line and "client=monarc-a" in line


def test_anonymous_and_refused_calls_are_logged_without_a_client(db, anon, request_lines):
    anon.get("/api/v1/client/me")
    anon.get("/api/v1//stats/", token="unknown-token-1234567")
    first, second = request_lines()
    assert "status=401" in first and "client=" not in first
    assert "path=/api/v1/stats/ status=403" in second and "client=" not in second


def test_pages_are_logged_without_touching_the_session(
    db, request_lines, django_assert_num_queries
):
    with django_assert_num_queries(0):
        HttpClient().get("/admin/login/", {"next": "/admin/"})
    (line,) = request_lines()
    assert line.startswith("method=GET path=/admin/login/ status=200")


def test_values_are_quoted_when_needed():
    line = format_fields({"client": 'FO "Lux" 1', "path": "/a=b", "status": "200"})
    assert line == 'client="FO \\"Lux\\" 1" path="/a=b" status=200'
