"""GET and PATCH /api/v1/client/me (monarc-protocol.md §2.3)."""

import pytest

ME = "/api/v1/client/me"


def test_it_echoes_the_presented_token(api, user_client):
    client, token = user_client
    response = api.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "name": "monarc-a",
        "uuid": str(client.uuid),
        "role": "user",
        "is_sharing_enabled": True,
        "local": True,
        "token": token,
    }


@pytest.mark.parametrize("path", [ME, ME + "/", "/api//v1/client/me", "/api/v1/client//me/"])
def test_it_answers_every_slash_form_without_redirecting(api, path):
    assert api.get(path).status_code == 200


def test_it_turns_sharing_off_and_on(api, user_client):
    response = api.patch(ME, {"is_sharing_enabled": False})
    assert response.status_code == 200
    assert response.json()["is_sharing_enabled"] is False
    user_client[0].refresh_from_db()
    assert user_client[0].is_sharing_enabled is False
    assert api.get(ME).json()["is_sharing_enabled"] is False
    assert api.patch(ME, {"is_sharing_enabled": True}).json()["is_sharing_enabled"] is True


@pytest.mark.parametrize(
    "body",
    [{}, {"is_sharing_enabled": "yes"}, {"is_sharing_enabled": 1}, {"is_sharing_enabled": None}],
)
def test_it_rejects_a_patch_without_a_boolean(api, user_client, body):
    response = api.patch(ME, body)
    assert response.status_code == 400
    assert "is_sharing_enabled" in response.json()["Error"]
    user_client[0].refresh_from_db()
    assert user_client[0].is_sharing_enabled is True


def test_it_rejects_a_patch_of_other_fields(api, user_client):
    response = api.patch(ME, {"is_sharing_enabled": False, "role": "admin"})
    assert response.status_code == 400
    user_client[0].refresh_from_db()
    assert user_client[0].role == "user"
    assert user_client[0].is_sharing_enabled is True


def test_it_rejects_a_non_object_patch(api):
    assert api.patch(ME, [True]).status_code == 400
    assert api.patch(ME, raw="{not json").status_code == 400


def test_it_refuses_methods_it_does_not_serve(api):
    response = api.call("DELETE", ME)
    assert response.status_code == 405
    assert "Error" in response.json()
