"""By-day object means: PostgreSQL writes the points as JSON text, Python everywhere else.

Both must give the same numbers, down to the float's bits and its JSON text, on the rounding
edge cases: exact ties (round half to even), means that round to minus zero, integral means.
"""

from __future__ import annotations

import os

import orjson
import pytest

from clients.models import Client
from stats.models import ObjectFact
from stats.processors.base import PERIODS, Scope, source
from stats.processors.objects import (
    _means,
    grouped_in_python,
    grouped_in_sql,
    grouped_query,
)
from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, ANR_C, T1, T2, item, record

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))

# averageRate alone on a day, and the 4-decimal mean it must give.
EDGE_RATES = {
    "2026-03-02": ("0.00005", 0.0),  # x 10^4 = 0.5: half to even -> 0
    "2026-03-03": ("0.00015", 0.0002),  # 1.5 -> 2
    "2026-03-04": ("0.00025", 0.0002),  # 2.5 -> 2
    "2026-03-05": ("-0.00004", 0.0),  # -0.4 -> 0, never -0.0
    "2026-03-06": ("3", 3.0),
}


@pytest.fixture
def edge_days(user_client, store):
    client, _ = user_client
    store(
        client,
        *(
            record("threat", day, ANR_A, [item(T1, 1, 2, rate)])
            for day, (rate, _) in EDGE_RATES.items()
        ),
    )
    return client


def test_it_rounds_the_edge_cases_half_to_even_and_never_to_minus_zero(edge_days):
    [t1] = run("threat_average_on_date", "threat")
    got = {point["date"]: point["averageRate"] for point in t1["values"]}
    assert got == {day: mean for day, (_, mean) in EDGE_RATES.items()}
    assert orjson.dumps(got["2026-03-05"]) == b"0.0"
    assert t1["values"][-1]["count"] == 1.0 and isinstance(t1["values"][-1]["count"], float)


@pytest.fixture
def mixed(user_client, other_client, store):
    """Two clients, three analyses, means with thirds, ties and big counts over several weeks."""
    client, _ = user_client
    other, _ = other_client
    rates = ["0.00005", "2.51", "-1.3", "0.1", "2147.5"]
    for day in range(1, 29):
        date = f"2026-02-{day:02d}"
        for index, anr in enumerate((ANR_A, ANR_B)):
            k = day + index
            store(
                client,
                record(
                    "threat",
                    date,
                    anr,
                    [
                        item(T1, k % 4, 2147483647 if k % 7 == 0 else k, rates[k % 5]),
                        item(T2, 2 * k, 3, rates[(k + 2) % 5]),
                    ],
                ),
            )
        store(other, record("threat", date, ANR_C, [item(T1, day % 3, 1, rates[day % 3])]))
    return client


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the points are written in SQL on PostgreSQL only")
@pytest.mark.parametrize("period", PERIODS)
def test_the_points_written_in_sql_equal_pythons_to_the_byte(mixed, period):
    scopes = [
        Scope(clients=None),  # the all-clients totals
        Scope(clients=Client.objects.filter(pk=mixed.pk)),  # one client's rollups
        Scope(clients=None, anrs=[ANR_A, ANR_C]),  # the facts
    ]
    for scope in scopes:
        grouped = grouped_query(source(ObjectFact, scope, "threat", totals=True), period)
        by_python, totals_python = grouped_in_python(grouped)
        by_sql, totals_sql = grouped_in_sql(grouped)
        assert by_sql.keys() == {T1, T2}
        for key, points in by_python.items():
            assert orjson.dumps(by_sql[key]) == orjson.dumps(points)
        # The overall means: sums of the points' sums, rounded as every mean.
        assert {k: _means(*t) for k, t in totals_sql.items()} == {
            k: _means(*t) for k, t in totals_python.items()
        }
