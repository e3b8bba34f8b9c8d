"""cartography_sum and cartography_average over matrices sent as lists or as objects."""

from __future__ import annotations

import copy

import pytest

from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, CARTOGRAPHY, record

pytestmark = pytest.mark.django_db

SMALL = {
    "scales": {"impact": [0, 1], "probability": [0, 1], "likelihood": [0, 1]},
    "risks": {
        "current": {"informational": {"1": {"0": 3}}, "operational": []},
        "residual": {"informational": [], "operational": [[0, 2]]},
    },
}


@pytest.fixture
def two_maps(user_client, store):
    store(
        user_client[0],
        record("cartography", "2026-11-28", ANR_A, copy.deepcopy(CARTOGRAPHY)),
        record("cartography", "2026-11-28", ANR_B, SMALL),
    )


def test_it_sums_cells_over_records(two_maps):
    data = run("cartography_sum", "cartography")
    assert list(data) == ["current", "residual"]
    assert list(data["current"]) == ["informational", "operational"]
    informational = data["current"]["informational"]
    assert informational["0"] == {"0": 7}  # a list row [7]
    assert informational["1"] == {"0": 5, "2": 1, "3": 1, "4": 1, "5": 1, "9": 3, "10": 1}
    assert list(informational["1"]) == ["0", "2", "3", "4", "5", "9", "10"]  # numeric order
    operational = data["residual"]["operational"]
    assert operational["0"] == {"1": 2}  # SMALL's [[0, 2]]: zero cells left out
    assert operational["2"] == {"0": 1, "1": 3, "2": 1}  # a list row [1, 3, 1]
    assert operational["4"] == {"1": 4, "3": 5}  # an object row
    assert list(operational) == ["0", "2", "3", "4"]


def test_it_averages_cells_per_record_counting_absent_cells_as_zero(two_maps):
    data = run("cartography_average", "cartography")
    assert data["current"]["informational"]["0"] == {"0": 3.5}
    assert data["current"]["informational"]["1"]["0"] == 2.5  # (2 + 3) / 2
    assert data["residual"]["operational"]["2"] == {"0": 0.5, "1": 1.5, "2": 0.5}


def test_it_reads_only_the_latest_map_per_analysis(two_maps, user_client, store):
    store(user_client[0], record("cartography", "2026-11-29", ANR_A, SMALL))
    data = run("cartography_sum", "cartography", latest_only=True)
    assert data["current"]["informational"] == {"1": {"0": 6}}
    average = run("cartography_average", "cartography", latest_only=True)
    assert average["current"]["informational"] == {"1": {"0": 3.0}}


def test_it_answers_an_empty_list_when_nothing_matches(db):
    assert run("cartography_sum", "cartography") == []
    assert run("cartography_average", "cartography") == []


def test_cartography_processors_cost_one_and_two_queries(two_maps, django_assert_num_queries):
    with django_assert_num_queries(1):
        run("cartography_sum", "cartography")
    with django_assert_num_queries(2):
        run("cartography_average", "cartography", latest_only=True)
