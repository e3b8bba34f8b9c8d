"""ObjectDailyTotal (the all-clients sums the admin's by-day object means read) stays equal to
the sum of the per-client rollups through ingests, re-sends, deletes, purges and rebuilds, and
under concurrent ingests of several clients (PostgreSQL row locks, real gunicorn workers)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum

from clients.services import delete_client
from stats import services
from stats.demo import analysis_uuid, client_day
from stats.models import ObjectDaily, ObjectDailyTotal
from stats.tests.aggregation import run
from statsservice.testing.live import Instance
from statsservice.testing.seed import ANR_A, ANR_B, T1, T2, item, record

pytestmark = pytest.mark.django_db

FIELDS = ("n", "sum_count", "sum_max_risk", "sum_average_rate")


def by_key(qs) -> dict:
    rows = qs.values("type", "object", "date").annotate(**{f: Sum(f) for f in FIELDS})
    return {
        (r["type"], r["object"], r["date"]): tuple(round(r[f], 6) for f in FIELDS)
        for r in rows
        if r["n"]
    }


def assert_totals_match_rollups() -> None:
    assert by_key(ObjectDailyTotal.objects.all()) == by_key(ObjectDaily.objects.all())


def test_totals_follow_ingests_resends_and_deletes(user_client, other_client, store):
    a, b = user_client[0], other_client[0]
    store(a, record("threat", "2026-11-27", ANR_A, [item(T1, 3, 18, "2.00"), item(T2, 1, 2, "1")]))
    store(b, record("threat", "2026-11-27", ANR_A, [item(T1, 5, 10, "1.25")]))
    store(b, record("vulnerability", "2026-11-28", ANR_B, [item(T2, 2, 4, "0.5")]))
    assert_totals_match_rollups()
    total = ObjectDailyTotal.objects.get(type="threat", object=T1, date="2026-11-27")
    assert (total.n, total.sum_count, total.sum_max_risk) == (2, 8, 28)

    # A re-sent day replaces A's share only.
    store(a, record("threat", "2026-11-27", ANR_A, [item(T1, 7, 20, "3.00")]))
    assert_totals_match_rollups()
    assert ObjectDailyTotal.objects.get(type="threat", object=T2, date="2026-11-27").n == 0

    services.delete_analysis(client=b, anr=ANR_A)
    assert_totals_match_rollups()
    delete_client(client=a)
    assert_totals_match_rollups()
    assert by_key(ObjectDailyTotal.objects.filter(type="threat")) == {}


def test_totals_follow_purges_and_rebuilds(user_client, other_client, store):
    store(user_client[0], record("threat", "2026-11-20", ANR_A, [item(T1, 3, 18, "2.00")]))
    store(other_client[0], record("threat", "2026-11-28", ANR_A, [item(T1, 1, 2, "0.5")]))
    services.purge_before(before=date(2026, 11, 25))
    assert_totals_match_rollups()
    ObjectDailyTotal.objects.all().delete()
    call_command("stats_rebuild_facts", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_totals_match_rollups()
    assert ObjectDailyTotal.objects.get().sum_count == 1


def test_the_admin_reads_the_totals_and_gets_what_the_facts_give(user_client, other_client, store):
    store(user_client[0], record("threat", "2026-11-27", ANR_A, [item(T1, 3, 18, "2.00")]))
    store(other_client[0], record("threat", "2026-11-27", ANR_B, [item(T1, 4, 12, "2.50")]))
    from_totals = run("threat_average_on_date", "threat", {"period": "month"})
    # With `anrs` the same processor reads the facts, one row per analysis.
    from_facts = run("threat_average_on_date", "threat", {"period": "month"}, anrs=[ANR_A, ANR_B])
    assert from_totals == from_facts
    assert from_totals[0]["averages"] == {"count": 3.5, "maxRisk": 15.0, "averageRate": 2.25}


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_of_many_clients_keep_the_totals_exact():
    """Four clients post the same days at once (and re-send one), through 4 gunicorn workers:
    no request fails (no deadlock) and the admin's means from the totals equal those from the
    facts (no lost update)."""
    with Instance("totals", workers=4) as live:
        live.start()
        tokens = [live.create_client(f"concurrent-{i}")[1] for i in range(4)]
        _, admin = live.create_client("concurrent-admin", "--role", "admin")
        last = date.today() - timedelta(days=1)
        days = [last - timedelta(days=i) for i in range(3)]

        def push(index: int) -> list[int]:
            statuses = []
            for progress, day in enumerate([*days, days[0]]):  # the last one is a re-send
                body = client_day(
                    seed=5, client_index=index, analyses=3, day=day, progress=progress / 4
                )
                statuses.append(
                    live.server.request("POST", "/api/v1/stats/", body, token=tokens[index])[0]
                )
            return statuses

        with ThreadPoolExecutor(4) as pool:
            assert [s for per in pool.map(push, range(4)) for s in per] == [201] * 16
        query = {
            "type": "threat",
            "processor": "threat_average_on_date",
            "processor_params": [],
            "date_from": days[-1].isoformat(),
        }
        anrs = [str(analysis_uuid(5, c, i)) for c in range(4) for i in range(3)]
        status, from_totals = live.server.request(
            "GET", "/api/v1/stats/processed/", query, token=admin
        )
        assert status == 200
        status, from_facts = live.server.request(
            "GET", "/api/v1/stats/processed/", {**query, "anrs": anrs}, token=admin
        )
        assert status == 200
        assert from_totals["data"] == from_facts["data"]
        assert len(from_totals["data"][0]["values"]) == 3
