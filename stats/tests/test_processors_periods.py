"""The `period` parameter of the *_on_date processors: buckets start on the period's first day."""

from __future__ import annotations

import pytest

from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, T1, item, record, risk

pytestmark = pytest.mark.django_db

# Monday 5 Jan, Wednesday 7 Jan, Tuesday 10 Feb, Wednesday 1 Apr 2026.
DAYS = {"2026-01-05": 10, "2026-01-07": 20, "2026-02-10": 30, "2026-04-01": 40}


@pytest.fixture
def spread(user_client, store):
    store(
        user_client[0],
        *(record("risk", day, ANR_A, risk((low, 0, 0))) for day, low in DAYS.items()),
        *(record("threat", day, ANR_B, [item(T1, low, low, "1")]) for day, low in DAYS.items()),
    )


def low_series(period):
    data = run("risk_averages_on_date", "risk", {"period": period})
    return [(p["date"], p["value"]) for p in data["current"]["informational"]["Low risks"]]


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (
            "day",
            [
                ("2026-01-05", 10.0),
                ("2026-01-07", 20.0),
                ("2026-02-10", 30.0),
                ("2026-04-01", 40.0),
            ],
        ),
        ("week", [("2026-01-05", 15.0), ("2026-02-09", 30.0), ("2026-03-30", 40.0)]),
        ("month", [("2026-01-01", 15.0), ("2026-02-01", 30.0), ("2026-04-01", 40.0)]),
        ("quarter", [("2026-01-01", 20.0), ("2026-04-01", 40.0)]),
        ("year", [("2026-01-01", 25.0)]),
    ],
)
def test_risk_buckets(spread, period, expected):
    assert low_series(period) == expected


def test_threat_buckets_by_quarter_and_keeps_overall_averages(spread):
    [t1] = run("threat_average_on_date", "threat", {"period": "quarter"})
    assert [(v["date"], v["count"]) for v in t1["values"]] == [
        ("2026-01-01", 20.0),
        ("2026-04-01", 40.0),
    ]
    assert t1["averages"]["count"] == 25.0


def test_a_missing_period_means_day(spread):
    assert low_series(None) == low_series("day")
