"""Daily per-client rollups give the same answers as the facts, and follow every write."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from django.core.management import call_command

from stats import derived, services
from stats.models import ROLLUP_MODELS, Stats
from stats.processors import PROCESSORS, Scope, run_processor
from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, T1, daily_batch, item, record, risk

pytestmark = pytest.mark.django_db

ANRS = [str(uuid.UUID(int=i)) for i in range(1, 4)]
PERIOD_PARAMS = {"risk_averages_on_date": {"period": "week"}}


@pytest.fixture
def mixed(make_client):
    """Two clients, three analyses, three days, through the demo generator's shapes."""
    from stats import demo

    for index in range(2):
        client, _ = make_client(f"rollup-{index}")
        for day, progress in demo.days_back(date(2026, 11, 3), 3):
            records = demo.client_day(
                seed=4, client_index=index, analyses=3, day=day, progress=progress
            )
            services.ingest_batch(client=client, records=demo.as_incoming(records))


def every_analysis() -> list[uuid.UUID]:
    return list(Stats.objects.values_list("analysis__uuid", flat=True).distinct())


@pytest.mark.parametrize("name", sorted(PROCESSORS))
def test_rollups_and_facts_agree_for_every_processor(mixed, name):
    info = PROCESSORS[name]
    params = PERIOD_PARAMS.get(name, {})
    from_rollups = run_processor(
        name, stats_type=info.type, scope=Scope(clients=None), params=params
    )
    # Naming the analyses makes the processors read the facts instead.
    from_facts = run_processor(
        name, stats_type=info.type, scope=Scope(clients=None, anrs=every_analysis()), params=params
    )
    assert from_rollups == from_facts
    assert from_rollups != []


def test_rollups_follow_a_resent_day_and_a_delete(user_client, store):
    client, _ = user_client
    store(client, record("risk", "2026-11-28", ANR_A, risk((10, 0, 0))))
    store(client, record("risk", "2026-11-28", ANRS[0], risk((20, 0, 0))))
    assert run("risk_averages", "risk")["current"]["informational"]["Low risks"] == 15.0
    store(client, record("risk", "2026-11-28", ANR_A, risk((40, 0, 0))))
    assert run("risk_averages", "risk")["current"]["informational"]["Low risks"] == 30.0
    services.delete_analysis(client=client, anr=uuid.UUID(ANR_A))
    assert run("risk_averages", "risk")["current"]["informational"]["Low risks"] == 20.0
    derived.remove_records(records=client)
    assert run("risk_averages", "risk") == []
    assert all(not model.objects.exists() for model in ROLLUP_MODELS)


def test_delete_stats_keeps_rollups_consistent(user_client, store):
    client, _ = user_client
    store(client, record("threat", "2026-11-27", ANR_A, [item(T1, 2, 2, "1")]))
    store(client, record("threat", "2026-11-28", ANR_A, [item(T1, 4, 4, "1")]))
    assert derived.remove_records(records=Stats.objects.filter(date="2026-11-27")) == 1
    [t1] = run("threat_average_on_date", "threat")
    assert t1["averages"]["count"] == 4.0


def test_rebuild_restores_the_rollups(user_client, store):
    client, _ = user_client
    store(client, *daily_batch("2026-11-28", [ANR_A, *ANRS]))
    before = {name: run(name, info.type) for name, info in PROCESSORS.items()}
    for model in ROLLUP_MODELS:
        model.objects.all().delete()
    call_command("stats_rebuild_facts", stdout=io.StringIO())
    assert {name: run(name, info.type) for name, info in PROCESSORS.items()} == before
