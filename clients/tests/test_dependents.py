"""Apps built on clients register what they keep per client; every client deletion removes it
first, while the client's row still exists (clients.dependents)."""

from __future__ import annotations

import pytest

from clients import dependents, services
from clients.models import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe(monkeypatch) -> list[str]:
    """Only a probe registered: it notes each removal, and whether the client still existed."""
    seen: list[str] = []
    monkeypatch.setattr(dependents, "_registry", {})

    def remove(*, client: Client) -> int:
        exists = Client.objects.filter(pk=client.pk).exists()
        seen.append(f"{client.name} {'present' if exists else 'gone'}")
        return 3

    dependents.register(name="probe", count=lambda *, client: 3, remove=remove)
    return seen


def test_deleting_a_client_removes_the_registered_records_first(make_client, probe):
    client, _ = make_client("leaving")
    assert dependents.count_records(client=client) == 3
    assert services.delete_client(client=client) == 3
    assert probe == ["leaving present"]
    assert not Client.objects.filter(name="leaving").exists()


def test_a_queryset_delete_of_clients_removes_the_records_of_each(make_client, probe):
    make_client("first")
    make_client("second")
    _, per_model = Client.objects.filter(name__in=["first", "second"]).delete()
    assert sorted(probe) == ["first present", "second present"]
    assert per_model["clients.Client"] == 2
    assert not Client.objects.filter(name__in=["first", "second"]).exists()
