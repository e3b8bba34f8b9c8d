"""GET /api/v1/stats/: parameters from a JSON body or the query string, windows, order, paging."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from stats.filtersets import months_before
from statsservice.testing.seed import ANR, record

STATS = "/api/v1/stats/"
TODAY = timezone.localdate()
ANR2 = "0b0c6c2a-8e0d-4d0e-9a49-5e1b4e0f5a11"


def day(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


@pytest.fixture
def history(api):
    """Risk records for two analyses on days 0, 1, 2 and 200 days ago (inserted out of order)."""
    batch = [record("risk", day(n), anr) for n in (1, 200, 0, 2) for anr in (ANR2, ANR)]
    batch.append(record("threat", day(0)))
    assert api.post(STATS, batch).status_code == 201


def dates(response) -> list[tuple[str, str]]:
    return [(item["date"], item["anr"]) for item in response.json()["data"]]


def test_it_sorts_by_date_then_analysis_and_defaults_to_three_months(api, history):
    response = api.get(STATS, {"type": "risk"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert dates(response) == [(day(n), anr) for n in (2, 1, 0) for anr in sorted((ANR, ANR2))]
    assert response.json()["metadata"] == {"count": 6, "offset": 0, "limit": 0}


def test_items_carry_uuid_anr_type_date_and_data(api, history):
    item = api.get(STATS, {"type": "threat"}).json()["data"][0]
    assert set(item) == {"uuid", "anr", "type", "date", "data"}
    assert item["type"] == "threat"
    assert item["data"] == record("threat", day(0))["data"]


def test_the_collection_check_sees_only_that_day(api, history):
    today = {"type": "risk", "date_from": day(0), "date_to": day(0)}
    assert len(api.get(STATS, today).json()["data"]) == 2
    empty = {"type": "risk", "date_from": day(5), "date_to": day(5)}
    assert api.get(STATS, empty).json()["data"] == []


def test_dates_are_inclusive_and_a_time_part_is_dropped(api, history):
    window = {"type": "risk", "date_from": day(2) + " 13:45:00", "date_to": day(1) + "T00:00:00"}
    assert dates(api.get(STATS, window)) == [
        (day(n), anr) for n in (2, 1) for anr in sorted((ANR, ANR2))
    ]


def test_null_dates_mean_the_default_window(api, history):
    response = api.get(STATS, {"type": "risk", "date_from": None, "date_to": None})
    assert response.json()["metadata"]["count"] == 6


def test_a_missing_date_from_is_three_months_before_date_to(api, history):
    response = api.get(STATS, {"type": "risk", "date_to": day(199)})
    assert [d for d, _ in dates(response)] == [day(200), day(200)]


def test_months_before_clamps_to_the_end_of_the_month():
    from datetime import date

    assert months_before(date(2026, 5, 31), 3) == date(2026, 2, 28)
    assert months_before(date(2024, 5, 31), 3) == date(2024, 2, 29)
    assert months_before(date(2026, 1, 15), 3) == date(2025, 10, 15)


def test_get_last_returns_the_latest_record_per_analysis_whatever_the_dates(api, history):
    body = {"type": "risk", "get_last": True, "date_from": day(300), "date_to": day(250)}
    response = api.get(STATS, body)
    assert dates(response) == [(day(0), anr) for anr in sorted((ANR, ANR2))]


@pytest.mark.parametrize("flag", [True, "true", 1, "1"])
def test_get_last_accepts_booleans_strings_and_integers(api, history, flag):
    assert len(api.get(STATS, {"type": "risk", "get_last": flag}).json()["data"]) == 2


def test_anrs_restricts_to_those_analyses(api, history):
    response = api.get(STATS, {"type": "risk", "anrs": [ANR2]})
    assert {anr for _, anr in dates(response)} == {ANR2}


def test_paging_accepts_digit_strings_and_counts_the_total(api, history):
    response = api.get(STATS, {"type": "risk", "offset": "1", "limit": "2"})
    body = response.json()
    assert body["metadata"] == {"count": 6, "offset": 1, "limit": 2}
    assert dates(response) == [(day(2), max(ANR, ANR2)), (day(1), min(ANR, ANR2))]


def test_an_offset_without_a_limit_runs_to_the_end(api, history):
    response = api.get(STATS, {"type": "risk", "offset": 4})
    assert len(response.json()["data"]) == 2


def test_parameters_also_come_from_the_query_string(api, history):
    response = api.get(f"{STATS}?type=risk&anrs={ANR}&date_from={day(1)}&limit=10")
    assert dates(response) == [(day(1), ANR), (day(0), ANR)]
    response = api.get(f"{STATS}?type=risk&anrs={ANR}&anrs={ANR2}&get_last=1")
    assert len(response.json()["data"]) == 2


def test_it_answers_the_slash_less_and_doubled_forms(api, history):
    assert api.get("/api/v1/stats", {"type": "risk"}).status_code == 200
    assert api.get("/api/v1//stats//", {"type": "risk"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ({}, "type"),
        ({"type": "weather"}, "type"),
        ({"type": "risk", "date_from": "yesterday"}, "date_from"),
        ({"type": "risk", "date_to": "2026-13-01"}, "date_to"),
        ({"type": "risk", "date_from": "2026-11-10", "date_to": "2026-11-01"}, "date_from"),
        ({"type": "risk", "anrs": ["not-a-uuid"]}, "anrs"),
        ({"type": "risk", "anrs": "zzz"}, "anrs"),
        ({"type": "risk", "anrs": [1, 2]}, "anrs"),
        ({"type": "risk", "offset": "-1"}, "offset"),
        ({"type": "risk", "limit": "ten"}, "limit"),
        ({"type": "risk", "limit": 2.5}, "limit"),
        ({"type": "risk", "get_last": "maybe"}, "get_last"),
        ({"type": "risk", "nbdays": 3}, "nbdays"),
        ({"type": ["risk"]}, "type"),
    ],
)
def test_bad_parameters_answer_400(api, history, body, hint):
    response = api.get(STATS, body)
    assert response.status_code == 400
    assert hint in response.content.decode()


def test_a_non_object_body_answers_400(api):
    assert api.get(STATS, ["risk"]).status_code == 400
    assert api.get(STATS, raw="{type: risk}").status_code == 400


def test_group_by_anr_is_ignored(api, history):
    assert api.get(STATS, {"type": "risk", "group_by_anr": 1}).status_code == 200


def test_it_reads_with_two_queries(api, history, django_assert_num_queries):
    # Authentication, the count and the streamed rows: never one query per record.
    with django_assert_num_queries(3):
        response = api.get(STATS, {"type": "risk", "get_last": True})
    assert len(response.json()["data"]) == 2


@pytest.mark.parametrize("digits", ["²", "³", "\u0661\u0660", "\uff11\uff10", "1²"])
def test_paging_in_other_scripts_digits_answers_400_from_the_query_string(api, history, digits):
    for name in ("limit", "offset"):
        response = api.get(f"{STATS}?type=risk&{name}={quote(digits)}")
        assert response.status_code == 400, response.content
        assert response.json()["Error"] == f"{name}: Must be a non-negative integer."


def test_paging_in_other_scripts_digits_answers_400_from_a_json_body(api, history):
    response = api.get(STATS, {"type": "risk", "limit": "\u0661\u0660", "offset": "²"})
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"limit", "offset"}


def test_dates_in_other_scripts_digits_answer_400(api, history):
    arabic_indic = str.maketrans("0123456789", "".join(chr(0x660 + d) for d in range(10)))
    response = api.get(STATS, {"type": "risk", "date_from": "2026-11-01".translate(arabic_indic)})
    assert response.status_code == 400
    assert response.json()["Error"] == "date_from: Must be a date as YYYY-MM-DD."
