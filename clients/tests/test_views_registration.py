"""POST /api/v1/client/: admin provisioning, as ansible-ubuntu does it (201 or 304)."""

from django.test import override_settings

from clients.models import Client

CLIENT = "/api/v1/client/"
TOKEN = "provisioned-token-0123456789abcdef"


def body(**overrides):
    return {"name": "FO instance 7", "is_sharing_enabled": True, "token": TOKEN, **overrides}


def test_an_admin_creates_a_client_that_can_then_authenticate(api_admin, anon):
    response = api_admin.post(CLIENT, body())
    assert response.status_code == 201
    created = response.json()
    assert created["name"] == "FO instance 7"
    assert created["role"] == "user"
    assert "token" not in created
    assert anon.get("/api/v1/client/me", token=TOKEN).json()["name"] == "FO instance 7"


def test_the_double_slash_form_of_ansible_works(api_admin):
    assert api_admin.post("/api//v1//client", body()).status_code == 201


def test_it_answers_304_for_an_existing_name_or_token(api_admin):
    assert api_admin.post(CLIENT, body()).status_code == 201
    again = api_admin.post(CLIENT, body())
    assert again.status_code == 304
    assert again.content == b""
    assert api_admin.post(CLIENT, body(name="another")).status_code == 304
    assert api_admin.post(CLIENT, body(token="another-token-0123456789")).status_code == 304
    assert Client.objects.filter(role="user").count() == 1


def test_it_never_creates_an_admin(api_admin):
    response = api_admin.post(CLIENT, {**body(), "role": "admin"})
    assert response.status_code == 400
    assert not Client.objects.filter(name="FO instance 7").exists()


def test_a_plain_client_gets_403(api):
    response = api.post(CLIENT, body())
    assert response.status_code == 403
    assert not Client.objects.filter(name="FO instance 7").exists()


def test_it_answers_401_without_a_key(anon):
    assert anon.post(CLIENT, body()).status_code == 401


@override_settings(CLIENT_REGISTRATION_OPEN=False)
def test_it_answers_403_with_a_message_when_registration_is_closed(api_admin):
    response = api_admin.post(CLIENT, body())
    assert response.status_code == 403
    assert "registration is closed" in response.json()["Error"]


def test_it_answers_400_for_a_missing_field(api_admin):
    response = api_admin.post(CLIENT, {"name": "x"})
    assert response.status_code == 400
    assert "token" in response.json()["Error"]
    assert api_admin.post(CLIENT, {"token": TOKEN}).status_code == 400


def test_it_rejects_trivially_short_tokens(api_admin):
    response = api_admin.post(CLIENT, body(token="abc"))
    assert response.status_code == 400
    assert "at least" in response.json()["Error"]


def test_it_rejects_a_non_object_body(api_admin):
    assert api_admin.post(CLIENT, ["x"]).status_code == 400
    assert api_admin.post(CLIENT, raw="{").status_code == 400
