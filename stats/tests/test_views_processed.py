"""GET /api/v1/stats/processed/ and /processed/list: parameters, scoping, errors."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from statsservice.testing.seed import ANR_A, ANR_B, T1, item, record, risk

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/processed/"
MONARC_RISK = {
    "processor": "risk_averages_on_date",
    "processor_params": {"risks_type": "informational", "risks_state": "current"},
    "date_from": "2026-08-28",
    "date_to": "2026-11-28",
    "type": "risk",
}


@pytest.fixture
def two_clients(user_client, other_client, store):
    store(user_client[0], record("risk", "2026-11-28", ANR_A, risk((10, 20, 30))))
    store(other_client[0], record("risk", "2026-11-28", ANR_B, risk((30, 40, 50))))
    store(user_client[0], record("threat", "2026-11-28", ANR_A, [item(T1, 2, 8, "2.00")]))
    store(other_client[0], record("threat", "2026-11-28", ANR_B, [item(T1, 4, 16, "3.00")]))


def low(reply):
    return reply.json()["data"]["current"]["informational"]["Low risks"]


def test_it_answers_monarcs_request_as_monarc_reads_it(api, two_clients):
    reply = api.get(URL, MONARC_RISK)
    assert reply.status_code == 200
    body = reply.json()
    assert list(body) == ["type", "processor", "data"]
    assert body["processor"] == "risk_averages_on_date"
    assert low(reply) == [{"date": "2026-11-28", "value": 10.0}]


def test_a_client_never_sees_another_clients_stats(api, api_b, two_clients):
    assert low(api.get(URL, MONARC_RISK)) == [{"date": "2026-11-28", "value": 10.0}]
    assert low(api_b.get(URL, MONARC_RISK)) == [{"date": "2026-11-28", "value": 30.0}]
    threats = api.get(URL, {"type": "threat", "processor": "threat_average_on_date"}).json()
    assert threats["data"][0]["averages"]["count"] == 2.0


def test_asking_for_another_clients_analysis_gives_nothing(api, two_clients):
    reply = api.get(URL, {**MONARC_RISK, "anrs": [ANR_B]})
    assert reply.status_code == 200
    assert reply.json()["data"] == []


def test_an_admin_aggregates_every_client(api_admin, two_clients):
    assert low(api_admin.get(URL, MONARC_RISK)) == [{"date": "2026-11-28", "value": 20.0}]


def test_it_reads_parameters_from_the_query_string(api, two_clients):
    query = "?type=risk&processor=risk_averages&processor_params=%5B%5D"
    reply = api.get(URL + query)
    assert reply.status_code == 200
    assert reply.json()["data"]["current"]["informational"]["Low risks"] == 10.0
    period = json.dumps({"period": "year"})
    reply = api.get(f"{URL}?type=risk&processor=risk_averages_on_date&processor_params={period}")
    assert low(reply) == [{"date": "2026-01-01", "value": 10.0}]


def test_null_dates_and_null_params_mean_unbounded(api, two_clients):
    body = {**MONARC_RISK, "date_from": None, "date_to": None, "processor_params": None}
    reply = api.get(URL, body)
    assert reply.status_code == 200
    assert list(reply.json()["data"]) == ["current", "residual"]


def test_dates_bound_the_records(api, two_clients):
    reply = api.get(URL, {**MONARC_RISK, "date_from": "2026-11-29", "date_to": "2026-11-30"})
    assert reply.json()["data"] == []


def test_local_stats_only_drops_remote_clients(api_admin, make_client, store):
    remote, _ = make_client("remote")
    remote.local = False
    remote.save()
    store(remote, record("risk", "2026-11-28", ANR_A, risk((50, 0, 0))))
    body = {"type": "risk", "processor": "risk_averages", "local_stats_only": 1}
    assert api_admin.get(URL, body).json()["data"] == []
    body["local_stats_only"] = "0"
    assert api_admin.get(URL, body).json()["data"]["current"]["informational"]["Low risks"] == 50


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"type": "threat", "processor": "risk_averages"},
            "Processor 'risk_averages' can not be used with type 'threat'.",
        ),
        ({"type": "risk", "processor": "risk_process"}, "can not be used with type 'risk'"),
        ({"type": "risk", "processor": "__init__"}, "can not be used"),
        ({"type": "risk"}, "processor"),
        ({"type": "nope", "processor": "risk_averages"}, "type"),
        ({"type": "risk", "processor": "risk_averages", "processor_params": "x"}, "[]"),
        ({"type": "risk", "processor": "risk_averages", "processor_params": 3}, "[]"),
        ({"type": "risk", "processor": "risk_averages", "processor_params": {"x": 1}}, "x"),
        (
            {
                "type": "risk",
                "processor": "risk_averages_on_date",
                "processor_params": {"period": "decade"},
            },
            "period",
        ),
        (
            {
                "type": "risk",
                "processor": "risk_averages_on_date",
                "processor_params": {"risks_type": 3},
            },
            "risks_type",
        ),
        (
            {
                "type": "threat",
                "processor": "threat_average_on_date",
                "processor_params": {"limit": -1},
            },
            "limit",
        ),
        (
            {
                "type": "threat",
                "processor": "threat_average_on_date",
                "processor_params": {"order_by": "x"},
            },
            "order_by",
        ),
        ({"type": "risk", "processor": "risk_averages", "anrs": ["not-a-uuid"]}, "anrs"),
        ({"type": "risk", "processor": "risk_averages", "date_from": "yesterday"}, "date"),
        ({"type": "risk", "processor": "risk_averages", "colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_get_a_400_json_error(api, body, message):
    reply = api.get(URL, body)
    assert reply.status_code == 400
    assert message in reply.json()["Error"]


def test_a_mismatched_processor_error_lists_the_valid_ones(api):
    reply = api.get(URL, {"type": "threat", "processor": "risk_averages"})
    assert reply.json()["processors"] == ["threat_average_on_date"]
    assert "threat_average_on_date" in reply.json()["Error"]


def test_it_needs_a_key(anon):
    assert anon.get(URL, MONARC_RISK).status_code == 401


def test_the_processor_list_is_public(anon):
    reply = anon.get("/api/v1/stats/processed/list")
    assert reply.status_code == 200
    entries = {entry["name"]: entry for entry in reply.json()}
    assert entries["risk_averages_on_date"]["type"] == "risk"
    assert "period" in entries["risk_averages_on_date"]["params"]
    assert set(entries) >= {
        "risk_averages",
        "threat_average_on_date",
        "vulnerability_average_on_date",
        "compliance_averages",
        "compliance_average_on_date",
        "cartography_sum",
        "cartography_average",
    }
    assert all(entry["description"] for entry in entries.values())


def test_the_processed_call_costs_a_fixed_number_of_queries(
    api, two_clients, django_assert_max_num_queries
):
    # Authentication (token lookup, maybe last_seen) plus the processor's own three queries.
    with django_assert_max_num_queries(5):
        reply = api.get(URL, {"type": "threat", "processor": "threat_average_on_date"})
    assert reply.status_code == 200


def test_processor_params_nested_1200_deep_in_the_query_string_answer_400(api, two_clients):
    deep = quote('{"a":' * 1200 + "1" + "}" * 1200)
    reply = api.get(f"{URL}?type=risk&processor=risk_averages&processor_params={deep}")
    assert reply.status_code == 400
    assert reply.json()["Error"] == "processor_params: JSON nested deeper than 32 levels."


def test_processor_params_as_json_text_nested_deep_in_a_body_answer_400(api, two_clients):
    text = "[" * 1200 + "]" * 1200
    reply = api.get(URL, {**MONARC_RISK, "processor_params": text})
    assert reply.status_code == 400
    assert reply.json()["Error"].startswith("processor_params: JSON nested deeper")


def test_processor_params_text_with_nan_answers_400(api, two_clients):
    reply = api.get(
        f"{URL}?type=risk&processor=risk_averages&processor_params=%7B%22limit%22%3ANaN%7D"
    )
    assert reply.status_code == 400
    assert reply.json()["Error"] == "processor_params: Must be an object, [] or null."


@pytest.mark.parametrize("limit", [pytest.param("9" * 5000, id="5000-digits"), "²", "\u0663", "1²"])
def test_a_processor_limit_in_other_scripts_digits_answers_400(api, two_clients, limit):
    params = {"limit": limit}
    reply = api.get(
        URL,
        {
            **MONARC_RISK,
            "processor": "threat_average_on_date",
            "type": "threat",
            "processor_params": params,
        },
    )
    assert reply.status_code == 400, reply.content
    assert "limit must be an integer" in reply.json()["Error"]
