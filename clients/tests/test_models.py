"""clients.models: the client rules every app reads through (consent)."""

import pytest

from clients.models import Client

pytestmark = pytest.mark.django_db


def test_it_lists_only_active_sharing_clients(make_client):
    make_client("sharing")
    inactive, _ = make_client("inactive")
    Client.objects.filter(pk=inactive.pk).update(is_active=False)
    make_client("private", is_sharing_enabled=False)
    make_client("remote", local=False)
    names = set(Client.objects.shareable().values_list("name", flat=True))
    assert names == {"sharing", "remote"}


def test_an_admin_sees_every_client(make_client):
    admin, _ = make_client("admin", role=Client.Role.ADMIN)
    assert admin.visible_clients() is None


def test_any_other_client_sees_only_itself(make_client):
    client, _ = make_client("user")
    make_client("other")
    assert list(client.visible_clients()) == [client]
