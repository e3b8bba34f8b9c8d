"""One consent rule (ClientQuerySet.outbound) for every way stats leave an instance: push,
export, and the `shared_only` read another instance's stats_pull makes."""

from __future__ import annotations

import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from clients.models import Client
from sharing import archive, push

DAY = (timezone.localdate() - timedelta(days=1)).isoformat()


@pytest.fixture
def population(make_client, store_days):
    """One client of each kind, each with one analysis of stats: {name: (client, anr)}."""
    made = {}
    for local, sharing, active in itertools.product((True, False), repeat=3):
        name = f"{'local' if local else 'received'}-{'on' if sharing else 'off'}-" + (
            "active" if active else "inactive"
        )
        client, _ = make_client(name, local=local, is_sharing_enabled=sharing)
        (anr,) = store_days(client, [DAY])
        if not active:
            Client.objects.filter(pk=client.pk).update(is_active=False)
            client.refresh_from_db()
        made[name] = (client, anr)
    return made


def test_the_rule_for_one_client_is_the_rule_for_the_queryset(population):
    outbound = set(Client.objects.outbound())
    for client, _ in population.values():
        assert (client.outbound_refusal() is None) == (client in outbound), client.name
    assert [c.name for c in outbound] == ["local-on-active"]
    assert [c.name for c in push.shareable_clients()] == ["local-on-active"]
    assert [c.name for c in archive.export_clients(None)] == ["local-on-active"]


def test_a_sharing_read_returns_only_what_its_clients_share(population, api_admin):
    query = f"?type=risk&date_from={DAY}&date_to={DAY}"
    everything = api_admin.get(f"/api/v1/stats/{query}").json()
    shared = api_admin.get(f"/api/v1/stats/{query}&shared_only=true").json()
    assert len(everything["data"]) == 8
    assert [item["anr"] for item in shared["data"]] == [population["local-on-active"][1]]
    assert shared["metadata"]["count"] == 1
    # As MONARC sends parameters: in a JSON body.
    body = {"type": "risk", "date_from": DAY, "date_to": DAY, "shared_only": True}
    assert api_admin.get("/api/v1/stats/", body).json()["data"] == shared["data"]


def test_a_client_that_does_not_share_reads_nothing_of_its_own_as_shared(
    make_client, store_days, api
):
    off, token = make_client("off", is_sharing_enabled=False)
    store_days(off, [DAY])
    query = f"/api/v1/stats/?type=risk&date_from={DAY}&date_to={DAY}"
    assert len(api.get(query, token=token).json()["data"]) == 1
    assert api.get(f"{query}&shared_only=1", token=token).json()["data"] == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("local-off-active", "has sharing disabled"),
        ("local-on-inactive", "is inactive"),
        ("received-on-active", "is not local"),
    ],
)
def test_export_of_a_client_that_does_not_share_is_refused(population, tmp_path, name, reason):
    client, _ = population[name]
    path = tmp_path / "out.json"
    with pytest.raises(CommandError, match=reason):
        call_command("stats_export", "--out", str(path), "--client", str(client.uuid))
    assert not path.exists()


def test_push_refuses_the_same_clients_as_export(population):
    for client, _ in population.values():
        assert push.why_not_pushed(client) == client.outbound_refusal()
    out = StringIO()
    with pytest.raises(CommandError, match="is inactive"):
        call_command(
            "stats_push", "--client", str(population["local-on-inactive"][0].uuid), stdout=out
        )
