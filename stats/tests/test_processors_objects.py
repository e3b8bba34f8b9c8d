"""threat_average_on_date and vulnerability_average_on_date: real means, labels, top-N."""

from __future__ import annotations

import pytest

from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, ANR_C, T1, T2, item, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def threats(user_client, store):
    """monarc-protocol.md §5.3's example: A on the 27th (3, 18, "2.00"); B and C on the 28th
    ((2, 12, "1.50") and (4, 18, "2.50")). T2 only in C, labels partly null or empty."""
    client, _ = user_client
    store(
        client,
        record("threat", "2026-11-27", ANR_A, [item(T1, 3, 18, "2.00", label1=None)]),
        record("threat", "2026-11-28", ANR_B, [item(T1, 2, 12, "1.50", label1="Écoute passive")]),
        record(
            "threat",
            "2026-11-28",
            ANR_C,
            [
                item(T1, 4, 18, "2.50", label2="Eavesdropping"),
                item(T2, 1, 12, "1", label3="Supplier bankruptcy (IT)", label4=None),
            ],
        ),
    )
    return client


def by_object(data):
    return {entry["object"]: entry for entry in data}


def test_it_computes_real_means_per_date_and_overall(threats):
    t1 = by_object(run("threat_average_on_date", "threat", []))[T1]
    assert t1["values"] == [
        {"count": 3.0, "maxRisk": 18.0, "averageRate": 2.0, "date": "2026-11-27"},
        {"count": 3.0, "maxRisk": 15.0, "averageRate": 2.0, "date": "2026-11-28"},
    ]
    # Over the three records, not over the two daily means: (18 + 12 + 18) / 3 = 16.
    assert t1["averages"] == {"count": 3.0, "maxRisk": 16.0, "averageRate": 2.0}


def test_it_keeps_the_element_shape_and_key_order(threats):
    t1 = by_object(run("threat_average_on_date", "threat"))[T1]
    assert list(t1) == ["object", "labels", "values", "averages"]
    assert list(t1["values"][0]) == ["count", "maxRisk", "averageRate", "date"]


def test_it_fills_labels_from_any_record_and_never_gives_null(threats):
    data = by_object(run("threat_average_on_date", "threat"))
    assert data[T1]["labels"] == {
        "label1": "Écoute passive",
        "label2": "Eavesdropping",
        "label3": "",
        "label4": "",
    }
    assert data[T2]["labels"] == {
        "label1": "",
        "label2": "",
        "label3": "Supplier bankruptcy (IT)",
        "label4": "",
    }


def test_it_reads_averagerate_strings_without_decimals(threats):
    t2 = by_object(run("threat_average_on_date", "threat"))[T2]
    assert t2["averages"] == {"count": 1.0, "maxRisk": 12.0, "averageRate": 1.0}


def test_it_orders_and_limits_objects_by_an_overall_mean(threats):
    top = run("threat_average_on_date", "threat", {"order_by": "maxRisk", "limit": 1})
    assert [entry["object"] for entry in top] == [T1]  # 16 > 12
    low = run("threat_average_on_date", "threat", {"order_by": "count", "order": "asc"})
    assert [entry["object"] for entry in low] == [T2, T1]  # 1 < 3
    assert len(top[0]["values"]) == 2


def test_it_counts_contributing_clients_per_object(threats, make_client, store):
    from stats.processors import Scope, contributor_count, object_contributors

    other, _ = make_client("third")
    store(other, record("threat", "2026-11-28", ANR_A, [item(T1, 1, 1, "1")]))
    scope = Scope(clients=None)
    assert object_contributors(stats_type="threat", scope=scope) == {T1: 2, T2: 1}
    assert contributor_count(stats_type="threat", scope=scope) == 2


def test_it_ignores_empty_lists_in_the_means(threats, store):
    store(threats, record("threat", "2026-11-28", ANR_A, []))
    t1 = by_object(run("threat_average_on_date", "threat"))[T1]
    assert t1["averages"]["maxRisk"] == 16.0


def test_it_keeps_only_the_latest_record_per_analysis(threats, store):
    store(threats, record("threat", "2026-11-29", ANR_A, [item(T1, 9, 9, "4.00")]))
    t1 = by_object(run("threat_average_on_date", "threat", latest_only=True))[T1]
    # A's 29th, B's and C's 28th: (9 + 2 + 4) / 3 = 5.
    assert t1["averages"]["count"] == 5.0


def test_the_vulnerability_processor_has_the_same_shape(user_client, store):
    client, _ = user_client
    store(
        client,
        record("vulnerability", "2026-11-28", ANR_A, [item(T1, 4, 32, "3.49", label2="SPOF")]),
        record("vulnerability", "2026-11-28", ANR_B, [item(T1, 5, 12, "2.59")]),
    )
    data = run("vulnerability_average_on_date", "vulnerability", [])
    assert data == [
        {
            "object": T1,
            "labels": {"label1": "", "label2": "SPOF", "label3": "", "label4": ""},
            "values": [{"count": 4.5, "maxRisk": 22.0, "averageRate": 3.04, "date": "2026-11-28"}],
            "averages": {"count": 4.5, "maxRisk": 22.0, "averageRate": 3.04},
        }
    ]


def test_it_runs_in_two_queries_whatever_the_data(threats, django_assert_num_queries):
    # The grouped sums, then the labels.
    with django_assert_num_queries(2):
        run("threat_average_on_date", "threat", {"period": "week"})
    with django_assert_num_queries(2):
        run("threat_average_on_date", "threat", {"order_by": "count", "limit": 5})
