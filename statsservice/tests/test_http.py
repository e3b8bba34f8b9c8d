"""The outbound HTTP module's rules, against a local server that fails on purpose."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from sharing.tests.fakeremote import DROP, Answer, FakeRemote, Hostile, endless, trickle
from statsservice.http import (
    Deadline,
    LimitExceeded,
    RemoteClient,
    RemoteError,
    join_url,
    request_json,
)
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


# --- A key never leaves its host; every answer is bounded ------------------------------------
def redirect_to(url: str) -> Answer:
    return Answer(302, headers={"Location": url})


def test_it_never_sends_the_key_to_another_host_on_a_redirect(serve):
    elsewhere = serve([Answer(200, {"data": []})])
    remote = serve([redirect_to(elsewhere.url + "/api/v1/stats/?type=risk")])
    with (
        RemoteClient(remote.url, token="secret-key", retries=0) as client,
        pytest.raises(RemoteError, match="never sent to another host") as caught,
    ):
        client.request("GET", "api/v1/stats/", params={"type": "risk"})
    assert caught.value.status == 302
    assert remote.seen[0].headers["X-API-KEY"] == "secret-key"
    assert elsewhere.seen == []


def test_a_keyed_redirect_to_the_same_host_and_port_is_followed_with_the_key(serve):
    remote = serve([redirect_to("/moved/api/v1/stats/?type=risk"), Answer(200, {"data": []})])
    with RemoteClient(remote.url, token="secret-key", retries=0) as client:
        status, body = client.request("GET", "api/v1/stats/", params={"type": "risk"})
    assert (status, body) == (200, {"data": []})
    assert remote.seen[1].path == "/moved/api/v1/stats/?type=risk"
    assert remote.seen[1].headers["X-API-KEY"] == "secret-key"


def test_a_redirect_to_another_scheme_of_the_same_host_keeps_the_key_home(serve):
    remote = serve([Answer(200)])
    # Same host and port, but https: another origin.
    remote.script = [redirect_to(remote.url.replace("http://", "https://") + "/x")]
    with (
        RemoteClient(remote.url, token="secret-key", retries=0) as client,
        pytest.raises(RemoteError, match="not followed"),
    ):
        client.request("GET", "x")
    assert len(remote.seen) == 1


def test_an_unkeyed_request_may_follow_a_redirect_to_another_host(serve):
    elsewhere = serve([Answer(200, {"data": [1]})])
    remote = serve([redirect_to(elsewhere.url + "/y")])
    assert request_json("GET", remote.url + "/x", retries=0) == (200, {"data": [1]})
    assert "X-API-KEY" not in elsewhere.seen[0].headers


def test_it_stops_reading_an_answer_beyond_the_byte_cap(settings):
    settings.SHARING_HTTP_MAX_ANSWER_BYTES = 1024 * 1024
    with Hostile(endless(400 * 1024 * 1024)) as remote:
        started = time.monotonic()
        with pytest.raises(LimitExceeded, match="larger than 1048576 bytes"):
            request_json("GET", remote.url, retries=3, backoff=0)
    # Refused once, not retried, and long before 400 MB went by.
    assert len(remote.seen) == 1
    assert time.monotonic() - started < 10


def test_it_refuses_an_announced_length_beyond_the_cap_without_reading(serve):
    remote = serve([Answer(200, raw=b"[" + b" " * 5000 + b"]")])
    with (
        RemoteClient(remote.url, max_answer_bytes=4096, retries=0) as client,
        pytest.raises(LimitExceeded),
    ):
        client.request("GET", "x")


def test_it_inflates_gzip_within_the_cap_so_a_gzip_bomb_is_refused():
    with (
        Hostile(endless(1024 * 1024 * 1024, gzipped=True)) as remote,
        RemoteClient(remote.url, max_answer_bytes=1024 * 1024, retries=0) as client,
        pytest.raises(LimitExceeded),
    ):
        client.request("GET", "x")


def test_a_small_gzip_answer_is_read(serve):
    payload = gzip.compress(json.dumps({"data": [1, 2]}).encode())
    remote = serve([Answer(200, raw=payload, headers={"Content-Encoding": "gzip"})])
    with RemoteClient(remote.url, retries=0) as client:
        assert client.request("GET", "x") == (200, {"data": [1, 2]})


def test_a_trickling_answer_ends_at_the_deadline():
    with Hostile(trickle(every=0.1)) as remote:
        started = time.monotonic()
        deadline = Deadline.after(1.5, "the test's deadline")
        with (
            RemoteClient(remote.url, deadline=deadline, retries=2, backoff=0) as client,
            pytest.raises(LimitExceeded, match="the test's deadline passed"),
        ):
            client.request("GET", "x")
    assert time.monotonic() - started < 4


def test_no_retry_starts_when_its_wait_would_pass_the_deadline(serve):
    remote = serve([Answer(503, headers={"Retry-After": "30"})])
    deadline = Deadline.after(5, "the test's deadline")
    with (
        RemoteClient(remote.url, deadline=deadline, retries=3, max_retry_after=60) as client,
        pytest.raises(LimitExceeded, match="would pass before the next retry"),
    ):
        client.request("GET", "x")
    assert len(remote.seen) == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"data": [NaN]}', "NaN is not valid JSON"),
        (b"[" * 3000 + b"]" * 3000, "nested deeper than"),
        (b'{"data": ["a\\u0000b"]}', "NUL character"),
    ],
)
def test_it_refuses_answers_the_api_parser_would_refuse(serve, raw, reason):
    remote = serve([Answer(200, raw=raw)])
    with pytest.raises(RemoteError, match=reason):
        request_json("GET", remote.url + "/x", retries=0)
