"""Facts stay in step with stored records: re-sent days, DELETE, client wipe, rebuild."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from clients.services import delete_client
from stats import derived
from stats.models import FACT_MODELS, ROLLUP_MODELS, Label, ObjectFact, RiskFact
from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, T1, T2, daily_batch, item, record, risk

pytestmark = pytest.mark.django_db


def fact_count() -> int:
    return sum(model.objects.count() for model in FACT_MODELS)


def test_a_resent_day_replaces_its_facts(user_client, store):
    client, _ = user_client
    store(
        client, record("threat", "2026-11-28", ANR_A, [item(T1, 2, 8, "2.00"), item(T2, 1, 1, "1")])
    )
    store(client, record("threat", "2026-11-28", ANR_A, [item(T1, 6, 10, "3.00")]))
    assert ObjectFact.objects.count() == 1
    data = run("threat_average_on_date", "threat")
    assert [(e["object"], e["averages"]["count"]) for e in data] == [(T1, 6.0)]


def test_a_resent_day_in_one_batch_keeps_the_last_record(user_client, store):
    client, _ = user_client
    store(
        client,
        record("risk", "2026-11-28", ANR_A, risk((1, 1, 1))),
        record("risk", "2026-11-28", ANR_A, risk((9, 9, 9))),
    )
    assert RiskFact.objects.count() == 12
    assert run("risk_averages", "risk")["current"]["informational"]["Low risks"] == 9.0


def test_delete_of_an_analysis_removes_its_facts_only(api, user_client, store):
    client, _ = user_client
    store(client, *daily_batch("2026-11-28", [ANR_A, ANR_B]))
    per_analysis = fact_count() // 2
    assert api.delete(f"/api/v1/stats/{ANR_A}").status_code == 204
    assert fact_count() == per_analysis
    assert not RiskFact.objects.filter(analysis__uuid=ANR_A).exists()


def test_delete_of_a_clients_stats_removes_its_facts_and_labels(user_client, other_client, store):
    store(user_client[0], *daily_batch("2026-11-28", [ANR_A]))
    store(other_client[0], *daily_batch("2026-11-28", [ANR_A]))
    derived.remove_records(records=user_client[0])
    assert fact_count() > 0
    assert not ObjectFact.objects.filter(client=user_client[0]).exists()
    assert not Label.objects.filter(client=user_client[0]).exists()


def test_deleting_a_client_removes_its_facts_and_rollups(user_client, other_client, store):
    # As the admin and client_delete do (the all-clients totals need the service).
    client, _ = user_client
    store(client, *daily_batch("2026-11-28", [ANR_A]))
    store(other_client[0], *daily_batch("2026-11-28", [ANR_B]))
    kept = fact_count() // 2
    delete_client(client=client)
    assert fact_count() == kept
    for model in (*FACT_MODELS, *ROLLUP_MODELS):
        assert not model.objects.filter(client_id=client.pk).exists(), model.__name__
    assert not Label.objects.filter(client_id=client.pk).exists()


def test_a_later_batch_keeps_labels_it_does_not_resend(user_client, store):
    client, _ = user_client
    store(
        client, record("threat", "2026-11-27", ANR_A, [item(T1, 1, 1, "1", label2="Eavesdropping")])
    )
    store(client, record("threat", "2026-11-28", ANR_A, [item(T1, 1, 1, "1", label2=None)]))
    assert run("threat_average_on_date", "threat")[0]["labels"]["label2"] == "Eavesdropping"


def test_rebuild_restores_the_same_facts(user_client, store):
    client, _ = user_client
    store(client, *daily_batch("2026-11-28", [ANR_A, ANR_B]))
    before = run("threat_average_on_date", "threat"), run("compliance_averages", "compliance")
    count = fact_count()
    for model in FACT_MODELS:
        model.objects.all().delete()
    call_command("stats_rebuild_facts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert fact_count() == count
    assert (run("threat_average_on_date", "threat"), run("compliance_averages", "compliance")) == (
        before
    )


def test_rebuild_dry_run_changes_nothing(user_client, store):
    client, _ = user_client
    store(client, *daily_batch("2026-11-28", [ANR_A]))
    for model in FACT_MODELS:
        model.objects.all().delete()
    call_command("stats_rebuild_facts", "--dry-run", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert fact_count() == 0
