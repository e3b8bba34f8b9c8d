"""The Django admin for clients, analyses and stats (staff users, separate from API clients)."""

import re

import pytest
from django.contrib.auth import get_user_model

from clients.models import Client
from clients.tokens import hash_token
from stats.models import Stats


@pytest.fixture
def staff(client, db):
    user = get_user_model().objects.create_superuser("root", "", "pw-for-tests-only")
    client.force_login(user)
    return client


def shown_tokens(response) -> list[str]:
    return re.findall(r"shown only now[^:]*: ([A-Za-z0-9_\-]+)", response.content.decode())


def test_creating_a_client_shows_its_token_once(staff):
    response = staff.post(
        "/admin/clients/client/add/",
        {"name": "FO 9", "role": "user", "is_sharing_enabled": "on", "local": "on", "token": ""},
        follow=True,
    )
    assert response.status_code == 200
    [token] = shown_tokens(response)
    client = Client.objects.get(name="FO 9")
    assert client.token_hash == hash_token(token)
    # Never again: the change page has no token.
    page = staff.get(f"/admin/clients/client/{client.pk}/change/").content.decode()
    assert token not in page
    assert client.token_hash not in page


def test_the_add_form_refuses_a_short_token(staff):
    response = staff.post(
        "/admin/clients/client/add/", {"name": "FO 9", "role": "user", "token": "short"}
    )
    assert response.status_code == 200
    assert "at least" in response.content.decode()
    assert not Client.objects.exists()


def test_actions_rotate_tokens_and_toggle_flags(staff, make_client):
    client, old = make_client("acted")
    changelist = "/admin/clients/client/"

    def act(action: str):
        return staff.post(
            changelist, {"action": action, "_selected_action": [client.pk]}, follow=True
        )

    [new] = shown_tokens(act("rotate_token"))
    client.refresh_from_db()
    assert client.token_hash == hash_token(new) != hash_token(old)
    act("disable_sharing")
    act("deactivate")
    client.refresh_from_db()
    assert (client.is_sharing_enabled, client.is_active) == (False, False)
    act("enable_sharing")
    act("activate")
    client.refresh_from_db()
    assert (client.is_sharing_enabled, client.is_active) == (True, True)


def test_the_client_list_filters_by_role_sharing_local_and_active(staff, make_client):
    make_client("alpha")
    make_client("beta", role="admin")
    page = staff.get("/admin/clients/client/?role__exact=admin").content.decode()
    assert "beta" in page and "alpha" not in page
    for query in ("is_sharing_enabled__exact=1", "local__exact=1", "is_active__exact=1"):
        assert staff.get(f"/admin/clients/client/?{query}").status_code == 200


def test_stats_are_read_only_filterable_and_pretty_printed(staff, make_client, store_days):
    client, _ = make_client("stats-owner")
    store_days(client, ["2026-01-05"])
    stats = Stats.objects.get(type="threat")
    listing = staff.get(
        f"/admin/stats/stats/?type__exact=threat&analysis__client__id__exact={client.pk}"
    )
    assert listing.status_code == 200
    assert str(stats.uuid) in listing.content.decode()
    detail = staff.get(f"/admin/stats/stats/{stats.pk}/change/").content.decode()
    assert "&quot;averageRate&quot;: &quot;1.00&quot;" in detail
    assert staff.get("/admin/stats/stats/add/").status_code == 403
    assert staff.get("/admin/stats/analysis/").status_code == 200


def test_api_clients_cannot_log_into_the_admin(client, make_client):
    _, token = make_client("api-only")
    response = client.get("/admin/", headers={"X-API-KEY": token})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
