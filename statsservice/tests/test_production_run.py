"""Run the service the production way (environment only, gunicorn) and talk real HTTP to it."""

from __future__ import annotations

import http.client
import json
import os

import pytest

from statsservice.testing.live import Instance, manage
from statsservice.testing.seed import sized_batch

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def instance():
    with Instance("prod") as live:
        live.start()
        _, live.token = live.create_client("FO prod")
        yield live


def call(instance, method: str, path: str, body=None, headers=None, expect_continue=False):
    conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    head = {"X-API-KEY": instance.token, "User-Agent": "MONARC/2.14.1", **(headers or {})}
    if data is not None:
        head["Content-Type"] = "application/json"
        head["Content-Length"] = str(len(data))
    if expect_continue:
        head["Expect"] = "100-continue"
    conn.request(method, path, body=data, headers=head)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, response.getheaders(), payload


def test_a_large_daily_batch_with_expect_100_continue_and_a_doubled_slash(instance):
    batch = sized_batch("2026-11-20", [f"00000000-0000-4000-8000-{n:012d}" for n in range(60)])
    status, _, payload = call(instance, "POST", "//api/v1/stats/", batch, expect_continue=True)
    assert status == 201, payload[:300]
    assert json.loads(payload)["metadata"]["count"] == 300


def test_a_get_with_a_json_body_reads_the_stats_back(instance):
    body = {"type": "risk", "date_from": "2026-11-20", "date_to": "2026-11-20"}
    status, headers, payload = call(instance, "GET", "//api/v1/stats/", body)
    assert status == 200
    assert dict(headers)["Content-Type"] == "application/json"
    assert len(json.loads(payload)["data"]) == 60


def test_client_me_answers_without_trailing_slash_and_without_redirect(instance):
    status, _, payload = call(instance, "GET", "//api/v1/client/me")
    assert status == 200
    assert json.loads(payload)["token"] == instance.token


def test_static_files_of_the_docs_page_are_served(instance):
    status, _, page = call(instance, "GET", "/api/v1/")
    assert status == 200
    asset = "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    assert asset.encode() in page
    assert call(instance, "GET", asset)[0] == 200


def test_it_refuses_to_start_without_a_secret_key_outside_debug():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "0",
        "DATABASE_URL": "sqlite:////tmp/unused.db",
        "ENV_FILE": "",
    }
    result = manage(env, "check", check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
