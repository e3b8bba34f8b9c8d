"""Public results are cached per endpoint and parameters, and refreshed when data changes."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from clients.services import create_client, set_coordinates, set_sharing
from dashboard import public
from stats import services
from statsservice.testing.seed import COMMON

pytestmark = pytest.mark.django_db


def count_of_common(**params) -> float | None:
    data = HttpClient().get("/stats/threats.json", params).json()
    rows = [row for row in data if row["object"] == COMMON]
    return rows[0]["averages"]["count"] if rows else None


def test_a_repeated_request_reads_only_the_generation(django_assert_max_num_queries, contributors):
    contributors(3)
    first = HttpClient().get("/stats/threats.json").content
    # The generation's three small aggregates, and no processor query.
    with django_assert_max_num_queries(3):
        again = HttpClient().get("/stats/threats.json").content
    assert again == first


def test_new_stats_refresh_the_results(contribute, contributors):
    made = contributors(3)
    assert count_of_common() == 3.0
    contribute(made[0], index=9)  # a second analysis with count 11
    assert count_of_common() == (2 + 3 + 4 + 11) / 4


def test_a_re_sent_day_refreshes_the_results(contribute, contributors):
    made = contributors(3)
    anr = str(made[0].analyses.get().uuid)
    assert count_of_common(last_stats=1) == 3.0
    contribute(made[0], index=3, anr=anr)  # same analysis, same day, count 5 instead of 2
    assert count_of_common(last_stats=1) == 4.0


def test_turning_sharing_off_refreshes_the_results(contributors):
    made = contributors(3)
    assert count_of_common() == 3.0
    set_sharing(client=made[0], enabled=False)
    assert count_of_common() is None


def test_deleting_an_analysis_refreshes_the_results(contributors):
    made = contributors(3)
    assert count_of_common() == 3.0
    services.delete_analysis(client=made[2], anr=made[2].analyses.get().uuid)
    assert count_of_common() is None


def test_moving_a_client_refreshes_the_map(contributors):
    made = contributors(3)
    before = HttpClient().get("/map/clients.json").json()
    for client in made:
        set_coordinates(client=client, latitude=10.0, longitude=20.0)
    after = HttpClient().get("/map/clients.json").json()
    assert before != after
    assert {"latitude": 10.0, "longitude": 20.0}.items() <= after[0].items()


def test_each_parameter_set_has_its_own_entry(contribute, contributors):
    made = contributors(3)
    for client in made:
        contribute(client, index=40, offset=100)
    assert count_of_common(days=30) == 3.0
    assert count_of_common(days=365) == (2 + 3 + 4 + 3 * 42) / 6


def test_the_generation_comes_from_the_database_so_every_worker_sees_it(contribute, contributors):
    """Workers share nothing but the database: a write by any process changes the key."""
    contributors(3)
    before = public.generation()
    client, _ = create_client(name="newcomer")
    assert public.generation() != before
    before = public.generation()
    contribute(client, index=1)
    assert public.generation() != before
