"""POST /api/v1/stats/: validation, atomicity and idempotent upsert."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from stats.models import Analysis, Stats
from statsservice.testing.seed import ANR, daily_batch, record

STATS = "/api/v1/stats/"
TODAY = timezone.localdate()
DAY = (TODAY - timedelta(days=1)).isoformat()
ANR2 = "0b0c6c2a-8e0d-4d0e-9a49-5e1b4e0f5a11"


def test_it_stores_a_daily_batch_and_answers_201(api, user_client):
    response = api.post(STATS, daily_batch(DAY, [ANR, ANR2]))
    assert response.status_code == 201
    body = response.json()
    assert body["metadata"] == {"count": 10}
    assert {(r["anr"], r["type"]) for r in body["data"]} == {
        (anr, t)
        for anr in (ANR, ANR2)
        for t in ("risk", "threat", "vulnerability", "cartography", "compliance")
    }
    assert Stats.objects.filter(analysis__client=user_client[0]).count() == 10
    analysis = Analysis.objects.get(uuid=ANR, client=user_client[0])
    assert analysis.first_date.isoformat() == DAY
    assert analysis.last_date.isoformat() == DAY


def test_it_stores_the_payload_verbatim(api):
    batch = daily_batch(DAY, [ANR])
    api.post(STATS, batch)
    stored = Stats.objects.get(type="cartography")
    assert stored.data == batch[3]["data"]
    # Key order survives (PostgreSQL's jsonb would sort it).
    operational = stored.data["risks"]["current"]["operational"]
    assert list(operational) == ["2", "3", "4"]
    assert list(json.loads(stored.data_json)["risks"]["current"]) == [
        "informational",
        "operational",
    ]


def test_resending_a_day_replaces_it_without_duplicating(api):
    first = api.post(STATS, [record("risk", DAY)]).json()["data"][0]["uuid"]
    changed = record("risk", DAY)
    changed["data"]["risks"]["current"]["informational"][0]["value"] = 1
    second = api.post(STATS, [changed]).json()["data"][0]["uuid"]
    assert Stats.objects.count() == 1
    assert first == second
    assert Stats.objects.get().data["risks"]["current"]["informational"][0]["value"] == 1


def test_within_a_batch_the_last_record_of_a_day_wins(api):
    a, b = record("risk", DAY), record("risk", DAY)
    b["data"]["risks"]["current"]["informational"][0]["value"] = 42
    assert api.post(STATS, [a, b]).status_code == 201
    assert Stats.objects.count() == 1
    assert Stats.objects.get().data["risks"]["current"]["informational"][0]["value"] == 42


def test_a_supplied_uuid_is_kept(api):
    given = str(uuid.uuid4())
    response = api.post(STATS, [{**record("threat", DAY), "uuid": given}])
    assert response.json()["data"][0]["uuid"] == given
    assert Stats.objects.filter(uuid=given).exists()


def test_a_uuid_of_someone_elses_record_is_not_taken_over(api, api_b):
    theirs = api_b.post(STATS, [record("threat", DAY)]).json()["data"][0]["uuid"]
    response = api.post(STATS, [{**record("threat", DAY), "uuid": theirs}])
    assert response.status_code == 201
    mine = response.json()["data"][0]["uuid"]
    assert mine != theirs
    assert Stats.objects.count() == 2


def test_the_same_analysis_uuid_under_two_clients_stays_apart(api, api_b):
    api.post(STATS, [record("risk", DAY)])
    api_b.post(STATS, [record("risk", DAY)])
    assert Analysis.objects.filter(uuid=ANR).count() == 2
    assert Stats.objects.count() == 2


def test_empty_lists_and_null_labels_are_accepted(api):
    batch = [
        record("threat", DAY, data=[]),
        record("vulnerability", DAY, data=[]),
        record("compliance", DAY, data=[]),
        record(
            "cartography",
            DAY,
            data={
                "scales": {"impact": [], "probability": [], "likelihood": []},
                "risks": {
                    "current": {"informational": [], "operational": []},
                    "residual": {"informational": [], "operational": []},
                },
            },
        ),
    ]
    assert api.post(STATS, batch).status_code == 201
    assert Stats.objects.count() == 4


def test_an_empty_batch_stores_nothing(api):
    response = api.post(STATS, [])
    assert response.status_code == 201
    assert response.json() == {"metadata": {"count": 0}, "data": []}


def test_numbers_where_monarc_sends_strings_are_tolerated(api):
    threats = record("threat", DAY)
    threats["data"][0]["averageRate"] = 2.5
    assert api.post(STATS, [threats]).status_code == 201


BAD_ITEMS = [
    ({"anr": ANR, "type": "weather", "date": DAY, "data": []}, "type"),
    ({"anr": "not-a-uuid", "type": "risk", "date": DAY, "data": {}}, "anr"),
    ({"anr": ANR, "type": "threat", "date": "28/11/2026", "data": []}, "date"),
    ({"anr": ANR, "type": "threat", "date": "2026-02-30", "data": []}, "date"),
    ({"anr": ANR, "type": "threat", "date": "2100-01-01", "data": []}, "date"),
    ({"anr": ANR, "type": "threat", "date": DAY}, "missing"),
    ({"anr": ANR, "type": "threat", "date": DAY, "data": None}, "data"),
    ({"anr": ANR, "type": "threat", "date": DAY, "data": 3}, "data"),
    ({"anr": ANR, "type": "threat", "date": DAY, "data": [], "extra": 1}, "unknown"),
    ({"anr": ANR, "type": "threat", "date": DAY, "data": [{"uuid": "x"}]}, "uuid"),
    ({"anr": ANR, "type": "risk", "date": DAY, "data": {"risks": []}}, "risks"),
    ({"anr": ANR, "type": "risk", "date": DAY, "data": []}, "object"),
    ("not an object", "object"),
]


@pytest.mark.parametrize(("bad", "hint"), BAD_ITEMS)
def test_one_bad_item_rejects_the_whole_batch(api, bad, hint):
    batch = [*daily_batch(DAY, [ANR]), bad]
    response = api.post(STATS, batch)
    assert response.status_code == 400
    error = response.json()
    assert error["details"]["index"] == 5
    assert "Item 5" in error["Error"] or "index" in error["Error"]
    assert hint in json.dumps(error)
    assert Stats.objects.count() == 0
    assert Analysis.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("averageRate", "abc"),
        ("averageRate", None),
        ("count", "3"),
        ("count", -1),
        ("maxRisk", True),
        ("label1", 5),
    ],
)
def test_it_names_the_bad_field_of_an_object_item(api, field, value):
    threats = record("threat", DAY)
    threats["data"][1][field] = value
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == f"data[1].{field}"


def test_it_rejects_a_bad_cartography_cell(api):
    cartography = record("cartography", DAY)
    cartography["data"]["risks"]["residual"]["operational"]["3"][1] = "two"
    response = api.post(STATS, [cartography])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "data.risks.residual.operational.3[1]"


def test_it_rejects_a_bad_compliance_value(api):
    compliance = record("compliance", DAY)
    compliance["data"][0]["current"][0]["controls"][1]["value"] = "high"
    response = api.post(STATS, [compliance])
    assert response.status_code == 400
    assert "controls[1].value" in response.json()["details"]["field"]


@pytest.mark.parametrize(
    ("field", "valid", "invalid"),
    [("code", 1, True), ("value", 1, True), ("value", "2", ["2"]), ("measure", None, {"a": 1})],
)
def test_a_control_checked_once_does_not_vouch_for_a_lookalike(api, field, valid, invalid):
    # Controls are checked once per distinct (code, measure, value): True is not 1, and
    # unhashable values are still checked.
    compliance = record("compliance", DAY)
    control = compliance["data"][0]["current"][0]["controls"][1]
    if valid is not None:
        control[field] = valid
        assert api.post(STATS, [compliance]).status_code == 201
    control[field] = invalid
    response = api.post(STATS, [compliance])
    assert response.status_code == 400
    assert response.json()["details"]["field"].endswith(f"controls[1].{field}")


@pytest.mark.parametrize(
    "raw",
    ['{"anr": 1}', "42", '"x"', "null", "{not json", '[{"a":NaN}]', "\xff\xfe"],
)
def test_it_rejects_non_list_or_malformed_bodies(api, raw):
    response = api.post(STATS, raw=raw)
    assert response.status_code == 400
    assert "Error" in response.json()
    assert Stats.objects.count() == 0


def test_it_answers_401_without_a_key(anon):
    assert anon.post(STATS, daily_batch(DAY, [ANR])).status_code == 401
    assert Stats.objects.count() == 0


@override_settings(API_MAX_BODY_SIZE=2048)
def test_it_answers_413_above_the_body_limit(api):
    response = api.post(STATS, daily_batch(DAY, [ANR]))
    assert response.status_code == 413
    assert "Error" in response.json()
    assert Stats.objects.count() == 0


@override_settings(API_MAX_BATCH_RECORDS=3)
def test_it_bounds_the_number_of_records(api):
    response = api.post(STATS, daily_batch(DAY, [ANR]))
    assert response.status_code == 400
    assert "At most 3 records" in response.json()["Error"]


def test_it_rejects_deeply_nested_json(api):
    deep = "[" * 200 + "]" * 200
    response = api.post(STATS, raw=deep)
    assert response.status_code == 400
    assert "nested" in response.json()["Error"]


def test_analysis_dates_widen_with_older_and_newer_days(api, user_client):
    older = (TODAY - timedelta(days=5)).isoformat()
    api.post(STATS, [record("risk", DAY)])
    api.post(STATS, [record("risk", older), {**record("risk", DAY), "anr": ANR2}])
    analysis = Analysis.objects.get(uuid=ANR, client=user_client[0])
    other = Analysis.objects.get(uuid=ANR2, client=user_client[0])
    assert (analysis.first_date.isoformat(), analysis.last_date.isoformat()) == (older, DAY)
    assert (other.first_date.isoformat(), other.last_date.isoformat()) == (DAY, DAY)
    # A day inside the range changes nothing.
    api.post(STATS, [record("threat", (TODAY - timedelta(days=3)).isoformat())])
    analysis.refresh_from_db()
    assert (analysis.first_date.isoformat(), analysis.last_date.isoformat()) == (older, DAY)


def test_a_bad_item_is_answered_by_the_api_error_handler_byte_for_byte(api):
    bad = {"anr": ANR, "type": "risk", "date": DAY, "data": []}
    response = api.post(STATS, [*daily_batch(DAY, [ANR]), bad])
    assert response.status_code == 400
    assert response.content == (
        b'{"Error":"Item 5: data: must be an object","details":'
        b'{"index":5,"field":"data","reason":"must be an object"}}'
    )
