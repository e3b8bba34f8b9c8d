"""The Django admin for clients, analyses and stats (staff users, separate from API clients)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

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


def cookie_text(response) -> str:
    return " ".join(morsel.OutputString() for morsel in response.cookies.values())


@pytest.mark.parametrize("flow", ["rotate", "create"])
def test_a_new_token_never_travels_in_a_cookie_and_is_shown_once(staff, make_client, flow):
    if flow == "rotate":
        client, _ = make_client("acted")
        action = {"action": "rotate_token", "_selected_action": [client.pk]}
        answer = staff.post("/admin/clients/client/", action)
    else:
        form = {"name": "FO 9", "role": "user", "local": "on", "token": ""}
        answer = staff.post("/admin/clients/client/add/", form)
    assert answer.status_code == 302
    assert "messages" not in answer.cookies

    shown = staff.get(answer["Location"])
    [token] = shown_tokens(shown)
    assert token not in cookie_text(answer) + cookie_text(shown)
    # Read once: the next page (and the session row) no longer hold it.
    assert shown_tokens(staff.get("/admin/clients/client/")) == []
    assert all(token not in str(s.get_decoded()) for s in Session.objects.all())


def test_admin_passwords_are_held_to_djangos_validators(db):
    user = get_user_model()(username="operator")
    for weak in ("password", "12345678901234", "operator-1", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("correct horse battery staple 42", user)


def test_admin_logins_are_throttled_per_address_by_django_axes(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    get_user_model().objects.create_superuser("root", "", "a long enough passphrase")
    form = {"username": "root", "password": "wrong", "next": "/admin/"}
    for _ in range(2):
        assert client.post("/admin/login/", form).status_code == 200
    assert client.post("/admin/login/", form).status_code == 429
    # Locked out: even the right password is refused from that address...
    good = {**form, "password": "a long enough passphrase"}
    assert client.post("/admin/login/", good).status_code == 429
    # ...but not from another one.
    elsewhere = HttpClient(REMOTE_ADDR="10.1.2.3")
    assert elsewhere.post("/admin/login/", good).status_code == 302


def test_the_admin_refuses_to_create_a_user_with_a_weak_password(staff):
    form = {"username": "operator", "password1": "12345678", "password2": "12345678"}
    form["usable_password"] = "true"
    response = staff.post("/admin/auth/user/add/", form)
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    assert not get_user_model().objects.filter(username="operator").exists()
