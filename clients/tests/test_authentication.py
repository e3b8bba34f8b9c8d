"""X-API-KEY authentication and the MONARC version gate (monarc-protocol.md §2.1)."""

import pytest

from clients import services

STATS = "/api/v1/stats/"
QUERY = {"type": "risk"}


def test_it_answers_401_without_a_key(anon):
    response = anon.get(STATS, QUERY)
    assert response.status_code == 401
    assert response.json() == {"Error": "Unauthorized - Authentication required."}


def test_it_answers_401_to_an_empty_key(api):
    # Every original release up to v0.5.3 skipped authentication for an empty key.
    response = api.get(STATS, QUERY, token="")
    assert response.status_code == 401
    response = api.get(STATS, QUERY, token="   ")
    assert response.status_code == 401


def test_it_rejects_unknown_token(api):
    response = api.get(STATS, QUERY, token="not-a-known-token-at-all")
    assert response.status_code == 403
    assert response.json() == {"Error": "Forbidden - Authentication failed."}


def test_it_rejects_an_inactive_client_with_403(api, user_client):
    services.set_active(client=user_client[0], active=False)
    response = api.get(STATS, QUERY)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"


def test_it_accepts_a_known_token(api):
    assert api.get(STATS, QUERY).status_code == 200


def test_it_stores_only_a_hash_of_the_token(user_client):
    client, token = user_client
    assert token not in client.token_hash
    assert len(client.token_hash) == 64


def test_it_writes_last_seen_at_most_once_a_minute(api, user_client, django_assert_num_queries):
    client = user_client[0]
    api.get("/api/v1/client/me")
    client.refresh_from_db()
    first = client.last_seen
    assert first is not None
    # Second call: authentication is one SELECT, no UPDATE of last_seen.
    with django_assert_num_queries(1):
        api.get("/api/v1/client/me")
    client.refresh_from_db()
    assert client.last_seen == first


def test_a_rotated_token_stops_working(api, user_client):
    new_token = services.rotate_token(client=user_client[0])
    assert api.get(STATS, QUERY).status_code == 403
    assert api.get(STATS, QUERY, token=new_token).status_code == 200


@pytest.mark.parametrize(
    ("agent", "status"),
    [
        ("MONARC/2.10.1", 426),
        ("MONARC/2.9.20", 426),
        ("MONARC/1.0", 426),
        ("MONARC/2.10.2", 200),
        ("MONARC/2.14.1", 200),
        ("MONARC/2.14.1 (x)", 200),
        ("MONARC/unknown", 200),
        ("MONARC/", 200),
        ("curl/8.0", 200),
        ("", 200),
    ],
)
def test_it_gates_old_monarc_releases_with_426(api, agent, status):
    response = api.get(STATS, QUERY, headers={"User-Agent": agent})
    assert response.status_code == status
    if status == 426:
        assert "2.10.2" in response.json()["Error"]
