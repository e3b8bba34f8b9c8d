"""Scope: clients, analyses, local-only and latest-only, as the pages and the API use it."""

from __future__ import annotations

import pytest

from clients.models import Client
from stats.processors import Scope, contributor_count, object_contributors, run_processor
from statsservice.testing.seed import ANR_A, ANR_B, T1, item, record, risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharing_and_private(make_client, store):
    sharing, _ = make_client("sharing")
    private, _ = make_client("private", is_sharing_enabled=False)
    store(
        sharing, record("threat", "2026-11-28", ANR_A, [item(T1, 2, 4, "1", label2="Shared name")])
    )
    store(private, record("threat", "2026-11-28", ANR_B, [item(T1, 6, 8, "3", label1="Secret")]))
    store(sharing, record("risk", "2026-11-28", ANR_A, risk((10, 0, 0))))
    store(private, record("risk", "2026-11-28", ANR_B, risk((30, 0, 0))))
    return sharing, private


def sharing_scope(**kwargs) -> Scope:
    return Scope(clients=Client.objects.filter(is_sharing_enabled=True), **kwargs)


def test_a_client_queryset_limits_values_and_labels(sharing_and_private):
    [t1] = run_processor("threat_average_on_date", stats_type="threat", scope=sharing_scope())
    assert t1["averages"]["count"] == 2.0
    # The private client's custom label never shows in a view that excludes it.
    assert t1["labels"]["label1"] == ""
    assert t1["labels"]["label2"] == "Shared name"


def test_every_client_is_the_default(sharing_and_private):
    data = run_processor("risk_averages", stats_type="risk", scope=Scope(clients=None))
    assert data["current"]["informational"]["Low risks"] == 20.0


def test_analyses_narrow_the_scope(sharing_and_private):
    scope = Scope(clients=None, anrs=[ANR_B])
    data = run_processor("risk_averages", stats_type="risk", scope=scope)
    assert data["current"]["informational"]["Low risks"] == 30.0


def test_contributors_are_counted_within_the_scope(sharing_and_private):
    assert object_contributors(stats_type="threat", scope=sharing_scope()) == {T1: 1}
    assert object_contributors(stats_type="threat", scope=Scope(clients=None)) == {T1: 2}
    assert contributor_count(stats_type="risk", scope=Scope(clients=None)) == 2
    assert contributor_count(stats_type="risk", scope=sharing_scope()) == 1
    assert contributor_count(stats_type="compliance", scope=Scope(clients=None)) == 0


def test_local_only_drops_clients_standing_for_other_instances(sharing_and_private):
    _, private = sharing_and_private
    Client.objects.filter(pk=private.pk).update(local=False)
    scope = Scope(clients=None, local_only=True)
    assert contributor_count(stats_type="risk", scope=scope) == 1
    [t1] = run_processor("threat_average_on_date", stats_type="threat", scope=scope)
    assert t1["labels"]["label1"] == ""


def test_object_contributors_needs_an_object_type(sharing_and_private):
    from stats.processors import ProcessorError

    with pytest.raises(ProcessorError):
        object_contributors(stats_type="risk", scope=Scope(clients=None))
