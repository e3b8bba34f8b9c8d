"""risk_averages and risk_averages_on_date against hand-computed means."""

from __future__ import annotations

import json

import pytest

from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, record, risk

pytestmark = pytest.mark.django_db

LEVELS = ["Low risks", "Medium risks", "High risks"]


@pytest.fixture
def three_records(user_client, store):
    client, _ = user_client
    # A on the 27th; A and B on the 28th.
    store(
        client,
        record("risk", "2026-11-27", ANR_A, risk((80, 20, 4))),
        record("risk", "2026-11-28", ANR_A, risk((83, 21, 5))),
        record("risk", "2026-11-28", ANR_B, risk((77, 20, 6), offset=1)),
    )
    return client


def test_it_averages_each_level_over_every_record(three_records):
    data = run("risk_averages", "risk")
    assert data["current"]["informational"] == {
        "Low risks": 80.0,  # (80 + 83 + 77) / 3
        "Medium risks": 20.3333,  # 61 / 3
        "High risks": 5.0,
    }
    # Residual operational: +300 on every record, +1 more on B's: (380 + 383 + 378) / 3.
    assert data["residual"]["operational"]["Low risks"] == 380.3333


def test_it_keeps_monarc_key_order(three_records):
    data = run("risk_averages", "risk")
    assert list(data) == ["current", "residual"]
    assert list(data["current"]) == ["informational", "operational"]
    assert list(data["residual"]["operational"]) == LEVELS


def test_it_averages_per_date_sorted_by_date(three_records):
    data = run("risk_averages_on_date", "risk", {})
    low = data["current"]["informational"]["Low risks"]
    assert low == [
        {"date": "2026-11-27", "value": 80.0},
        {"date": "2026-11-28", "value": 80.0},  # (83 + 77) / 2
    ]
    high = data["current"]["informational"]["High risks"]
    assert high == [{"date": "2026-11-27", "value": 4.0}, {"date": "2026-11-28", "value": 5.5}]
    assert list(data["current"]["informational"]) == LEVELS


def test_it_keeps_only_the_requested_branches(three_records):
    params = {"risks_type": "informational", "risks_state": "current"}
    data = run("risk_averages_on_date", "risk", params)
    assert list(data) == ["current"]
    assert list(data["current"]) == ["informational"]


def test_it_matches_branch_names_as_substrings(three_records):
    params = {"risks_type": "operational", "risks_state": "current,residual"}
    data = run("risk_averages_on_date", "risk", params)
    assert list(data) == ["current", "residual"]
    assert list(data["residual"]) == ["operational"]
    assert data["residual"]["operational"]["Low risks"][1]["value"] == 380.5  # (383 + 378) / 2


def test_it_accepts_php_empty_array_and_null_params(three_records):
    assert run("risk_averages_on_date", "risk", []) == run("risk_averages_on_date", "risk", None)


def test_it_answers_an_empty_list_when_nothing_matches(db):
    assert run("risk_averages", "risk") == []
    assert run("risk_averages_on_date", "risk") == []


def test_it_serialises_key_order_in_json(three_records):
    text = json.dumps(run("risk_averages", "risk"))
    assert text.index('"current"') < text.index('"residual"')
    assert text.index('"Low risks"') < text.index('"Medium risks"') < text.index('"High risks"')


def test_it_runs_each_risk_processor_in_one_query(three_records, django_assert_num_queries):
    with django_assert_num_queries(1):
        run("risk_averages", "risk")
    with django_assert_num_queries(1):
        run("risk_averages_on_date", "risk", {"period": "month"})
