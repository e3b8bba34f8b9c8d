"""`anrs` listing every analysis in scope (what MONARC's dashboard sends for most users) reads
the rollups, as no `anrs` would; any analysis left out that may have records in range sends the
query to the per-analysis facts. The answers are the same either way."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client
from stats.processors import PROCESSORS, Scope, run_processor
from statsservice.testing.seed import ANR_A, ANR_B, ANR_C, T1, item, record, risk

pytestmark = pytest.mark.django_db

UNKNOWN = "44444444-4444-4444-8444-444444444444"  # an analysis MONARC has, with collection off


@pytest.fixture
def caller(user_client, other_client, store):
    """The caller: A (November), B (November) and C (January only); another client on A."""
    client, _ = user_client
    other, _ = other_client
    for anr, day, n in (
        (ANR_A, "2026-11-27", 2),
        (ANR_B, "2026-11-28", 5),
        (ANR_C, "2026-01-05", 9),
    ):
        store(client, record("threat", day, anr, [item(T1, n, n, f"{n}.25")]))
        store(client, record("risk", day, anr, risk((n, 0, 0))))
    store(other, record("threat", "2026-11-27", ANR_A, [item(T1, 7, 7, "7")]))
    return Client.objects.filter(pk=client.pk)


def tables_read(name: str, stats_type: str, scope: Scope) -> tuple[object, str]:
    with CaptureQueriesContext(connection) as queries:
        data = run_processor(name, stats_type=stats_type, scope=scope)
    return data, " ".join(q["sql"] for q in queries.captured_queries)


def test_naming_every_analysis_reads_the_rollups_and_answers_the_same(caller):
    everything = Scope(clients=caller, anrs=[ANR_A, ANR_B, ANR_C, UNKNOWN])
    data, sql = tables_read("threat_average_on_date", "threat", everything)
    assert "stats_objectdaily" in sql and "stats_objectfact" not in sql
    assert data == run_processor(
        "threat_average_on_date", stats_type="threat", scope=Scope(clients=caller)
    )
    [t1] = data
    assert t1["averages"]["count"] == round((2 + 5 + 9) / 3, 4)


def test_an_analysis_left_out_sends_the_query_to_the_facts(caller):
    data, sql = tables_read("threat_average_on_date", "threat", Scope(clients=caller, anrs=[ANR_A]))
    assert "stats_objectfact" in sql
    [t1] = data
    assert t1["averages"]["count"] == 2.0


def test_an_analysis_left_out_with_no_record_in_the_dates_does_not_count(caller):
    # C has records in January only; MONARC no longer lists it (deleted there, say).
    november = Scope(clients=caller, anrs=[ANR_A, ANR_B], date_from=date(2026, 11, 1))
    data, sql = tables_read("risk_averages", "risk", november)
    assert "stats_riskdaily" in sql and "stats_riskfact" not in sql
    assert data["current"]["informational"]["Low risks"] == 3.5  # (2 + 5) / 2
    whole_year = Scope(clients=caller, anrs=[ANR_A, ANR_B], date_from=date(2026, 1, 1))
    data, sql = tables_read("risk_averages", "risk", whole_year)
    assert "stats_riskfact" in sql
    assert data["current"]["informational"]["Low risks"] == 3.5


def test_every_client_means_every_clients_analyses(caller):
    # An admin naming the caller's three analyses still leaves out nothing: the other client's
    # record is on A too. Naming only B leaves A and C out.
    everyone = Scope(clients=None, anrs=[ANR_A, ANR_B, ANR_C])
    data, sql = tables_read("threat_average_on_date", "threat", everyone)
    assert "stats_objectfact" not in sql
    assert data[0]["averages"]["count"] == round((2 + 5 + 9 + 7) / 4, 4)
    data, sql = tables_read("threat_average_on_date", "threat", Scope(clients=None, anrs=[ANR_B]))
    assert "stats_objectfact" in sql and data[0]["averages"]["count"] == 5.0


@pytest.mark.parametrize("name", sorted(PROCESSORS))
def test_every_processor_gives_the_same_answer_with_every_analysis_named(caller, name):
    stats_type = PROCESSORS[name].type
    named = Scope(clients=caller, anrs=[ANR_A, ANR_B, ANR_C])
    assert run_processor(name, stats_type=stats_type, scope=named) == run_processor(
        name, stats_type=stats_type, scope=Scope(clients=caller)
    )


def test_the_check_costs_one_query_per_call(caller, django_assert_num_queries):
    named = Scope(clients=caller, anrs=[ANR_A, ANR_B, ANR_C])
    with django_assert_num_queries(1 + 2):  # the check, then as without anrs
        run_processor("threat_average_on_date", stats_type="threat", scope=named)
    with django_assert_num_queries(1 + 1):
        run_processor("risk_averages", stats_type="risk", scope=named)
