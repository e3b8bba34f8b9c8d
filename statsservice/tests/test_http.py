"""The outbound HTTP module's rules, against a local server that fails on purpose."""

from __future__ import annotations

import json

import pytest

from sharing.tests.fakeremote import DROP, Answer, FakeRemote
from statsservice.http import RemoteClient, RemoteError, join_url, request_json
from statsservice.testing.live import free_port


@pytest.fixture
def serve():
    started: list[FakeRemote] = []

    def start(script: list) -> FakeRemote:
        remote = FakeRemote(script).__enter__()
        started.append(remote)
        return remote

    yield start
    for remote in started:
        remote.__exit__(None, None, None)


def client_for(remote: FakeRemote, sleeps: list[float], **kw) -> RemoteClient:
    kw.setdefault("retries", 3)
    return RemoteClient(remote.url + "/prefix/", backoff=0.01, sleep=sleeps.append, **kw)


def test_it_keeps_the_base_url_prefix_when_joining_paths():
    assert join_url("http://h/stats", "api/v1/stats/") == "http://h/stats/api/v1/stats/"
    assert join_url("http://h/stats/", "/api/v1/stats/") == "http://h/stats/api/v1/stats/"
    assert join_url("http://h", "api") == "http://h/api"
    assert join_url("http://h/x", "http://other/y") == "http://other/y"


def test_it_sends_the_token_and_json_under_the_prefix(serve):
    sleeps: list[float] = []
    remote = serve([Answer(201, [{"uuid": "u"}])])
    with client_for(remote, sleeps, token="secret") as client:
        status, body = client.request("POST", "api/v1/stats/", json=[{"a": 1}])
    assert (status, body) == (201, [{"uuid": "u"}])
    seen = remote.seen[0]
    assert seen.path == "/prefix/api/v1/stats/"
    assert seen.headers["X-API-KEY"] == "secret"
    assert json.loads(seen.body) == [{"a": 1}]
    assert sleeps == []


def test_it_retries_5xx_then_succeeds(serve):
    sleeps: list[float] = []
    remote = serve([Answer(500), Answer(502), Answer(200, {"ok": True})])
    with client_for(remote, sleeps) as client:
        assert client.request("GET", "x") == (200, {"ok": True})
    assert len(remote.seen) == 3
    assert len(sleeps) == 2
    assert sleeps[1] >= sleeps[0] - 0.01  # exponential, up to jitter


def test_it_retries_dropped_connections(serve):
    sleeps: list[float] = []
    remote = serve([DROP, Answer(204)])
    with client_for(remote, sleeps) as client:
        assert client.request("DELETE", "api/v1/stats/abc") == (204, None)
    assert len(remote.seen) == 2


def test_it_honours_retry_after_on_429_within_the_cap(serve):
    sleeps: list[float] = []
    script = [
        Answer(429, {"Error": "slow down"}, {"Retry-After": "3"}),
        Answer(429, headers={"Retry-After": "3600"}),
        Answer(200, []),
    ]
    remote = serve(script)
    with client_for(remote, sleeps, max_retry_after=5) as client:
        assert client.request("GET", "x") == (200, [])
    assert sleeps == [3, 5]


def test_it_does_not_retry_other_4xx_and_reports_the_remote_message(serve):
    sleeps: list[float] = []
    remote = serve([Answer(403, {"Error": "Invalid token."})])
    with client_for(remote, sleeps) as client, pytest.raises(RemoteError) as caught:
        client.request("POST", "api/v1/stats/", json=[])
    assert len(remote.seen) == 1
    assert sleeps == []
    assert caught.value.status == 403
    assert caught.value.rejected
    assert caught.value.message == "Invalid token."


def test_it_gives_up_after_the_retries_with_the_last_status(serve):
    sleeps: list[float] = []
    remote = serve([Answer(503, raw=b"<html>down</html>")])
    with client_for(remote, sleeps, retries=2) as client, pytest.raises(RemoteError) as caught:
        client.request("GET", "x")
    assert len(remote.seen) == 3
    assert caught.value.status == 503
    assert caught.value.attempts == 3
    assert "down" in caught.value.message


def test_it_reports_an_unreachable_remote_with_no_status():
    sleeps: list[float] = []
    client = RemoteClient(
        f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01, sleep=sleeps.append
    )
    with client, pytest.raises(RemoteError) as caught:
        client.request("GET", "api/v1/stats/")
    assert caught.value.status is None
    assert caught.value.unreachable
    assert len(sleeps) == 1


def test_it_never_follows_a_redirect_on_post(serve):
    sleeps: list[float] = []
    remote = serve([Answer(301, headers={"Location": "/elsewhere"})])
    with client_for(remote, sleeps) as client, pytest.raises(RemoteError) as caught:
        client.request("POST", "api/v1/stats", json=[])
    assert caught.value.status == 301
    assert len(remote.seen) == 1


def test_it_rejects_a_non_json_success_body(serve):
    remote = serve([Answer(200, raw=b"not json")])
    with pytest.raises(RemoteError) as caught:
        request_json("GET", remote.url + "/x", retries=0)
    assert caught.value.status == 200


def test_request_json_passes_query_parameters_and_a_custom_token_header(serve):
    remote = serve([Answer(200, {"data": []})])
    status, body = request_json(
        "GET",
        join_url(remote.url + "/mosp", "api/v2/object/"),
        token="k",
        token_header="Authorization",
        params={"uuid": "abc"},
        retries=0,
    )
    assert (status, body) == (200, {"data": []})
    assert remote.seen[0].path == "/mosp/api/v2/object/?uuid=abc"
    assert remote.seen[0].headers["Authorization"] == "k"


def test_it_refuses_a_base_url_that_is_not_http():
    with pytest.raises(RemoteError):
        RemoteClient("ftp://example.org")
