"""Fuzzing the API: no 5xx, and every answer documented by the service's own schema.

1. schemathesis against /api/v1/schema: every operation with generated valid and invalid inputs,
   as an admin and as an ordinary client; checks status codes, content types and bodies.
2. hypothesis on what the schema cannot describe, i.e. the MONARC side: parameters as a JSON body
   on GET, and batches of records whose payloads are mutated versions of the real ones.
3. hypothesis on query strings of any text (other scripts' digits, JSON text nested deep), for
   the raw and the processed reads.

Both run in-process through the WSGI application on the test database, bounded in examples and
derandomised, so the file takes well under two minutes.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from clients.models import Client
from conftest import Api
from statsservice.testing.seed import PAYLOADS

# Loaded at collection: the schema view needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema", get_wsgi_application())


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    # Requests go through the real WSGI handler, whose request signals close "old" database
    # connections, including the one holding the test transaction (Django's test client
    # disconnects them the same way).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["admin", "user"])
def api_key(request, make_client) -> str:
    role = Client.Role.ADMIN if request.param == "admin" else Client.Role.USER
    return make_client(f"fuzz-{request.param}", role=role)[1]


@schema.parametrize()
@FUZZ
def test_api_answers_conform_to_its_schema(case, api_key):
    if "501" in case.operation.definition.raw.get("responses", {}):
        pytest.skip("documented as not implemented yet")
    if case.query and any(
        value in (None, "") or isinstance(value, list) for value in case.query.values()
    ):
        # A null or empty query value goes out as `?x=`, which the API reads as "unset", and a
        # repeated parameter is read as its last value (Django's QueryDict); schemathesis would
        # still count either as invalid input that was accepted.
        return
    case.call_and_validate(
        headers={"X-API-KEY": api_key},
        # The API validates MONARC payloads (per-type shapes, date ranges, token characters)
        # more strictly than OpenAPI can say: schema-valid input may still get a 400.
        excluded_checks=[positive_data_acceptance],
    )


# --- The MONARC side -----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
anr = st.sampled_from(["eb2d701d-1edb-421f-8aff-82d544196d68", "not-a-uuid", "", 7])
day = st.sampled_from(["2026-11-01", "2026-02-30", "1999-01-01", "2026-11-01T10:00:00", None])
param_values = st.one_of(json_values, anr, day, st.sampled_from(["10", "-1", "true", 1, []]))
raw_params = st.dictionaries(
    st.sampled_from(
        ["type", "anrs", "date_from", "date_to", "get_last", "offset", "limit", "group_by_anr", "x"]
    ),
    param_values,
    max_size=6,
)


def mutate(value: Any, data: st.DataObject) -> Any:
    """Replace one random node of a real payload with a random JSON value."""
    value = copy.deepcopy(value)
    if not isinstance(value, dict | list) or not value or data.draw(st.booleans()):
        return data.draw(json_values)
    keys = list(value) if isinstance(value, dict) else list(range(len(value)))
    key = data.draw(st.sampled_from(keys))
    value[key] = mutate(value[key], data)
    return value


def assert_json_answer(reply: Any, allowed: set[int]) -> Any:
    assert reply.status_code in allowed, reply.content[:300]
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json()
    if reply.status_code >= 400:
        assert isinstance(body["Error"], str) and body["Error"]
    return body


@pytest.fixture
def monarc(user_client) -> Api:
    return Api(HttpClient(), user_client[1])


@given(params=raw_params)
@FUZZ
def test_raw_reads_with_any_json_body_answer_200_or_400(monarc, params):
    reply = monarc.get("/api/v1/stats/", params, headers={"User-Agent": "MONARC/2.14.1"})
    body = assert_json_answer(reply, {200, 400})
    if reply.status_code == 200:
        assert isinstance(body["data"], list)


@given(data=st.data())
@FUZZ
def test_batches_with_mutated_payloads_are_stored_whole_or_refused(monarc, data):
    stats_type = data.draw(st.sampled_from(sorted(PAYLOADS)))
    record: dict[str, Any] = {
        "anr": data.draw(anr),
        "type": data.draw(st.sampled_from([stats_type, "risk_process", ""])),
        "date": data.draw(day),
        "data": mutate(PAYLOADS[stats_type], data),
    }
    if data.draw(st.booleans()):
        record.pop(data.draw(st.sampled_from(sorted(record))))
    batch = data.draw(st.sampled_from([[record], [record, record], record, json.dumps(record)]))
    reply = monarc.post("/api/v1/stats/", batch)
    body = assert_json_answer(reply, {201, 400})
    if reply.status_code == 201:
        assert body["metadata"]["count"] == len(body["data"]) == 1


# --- Query strings ---------------------------------------------------------------------------

hostile_text = st.sampled_from(
    [
        *("²", "³", "\u0661\u0660", "\u06f3", "\uff11\uff10", "1²", "-0", " 7 ", "1e3", "0x10"),
        *("NaN", "[]", "{}", "null", '{"limit": "\u0663"}'),
        *("[" * 1200 + "]" * 1200, '{"a":' * 1200 + "1" + "}" * 1200),
    ]
)
query_values = hostile_text | st.text(max_size=12) | st.integers().map(str)
query_params = st.lists(
    st.tuples(
        st.sampled_from(
            [
                *("type", "anrs", "date_from", "date_to", "get_last", "offset", "limit"),
                *("processor", "processor_params", "local_stats_only", "x"),
            ]
        ),
        query_values,
    ),
    max_size=6,
)
processed_params = st.fixed_dictionaries(
    {
        "processor": st.sampled_from(["risk_averages", "threat_average_on_date", "x"]),
        "processor_params": query_values | st.sampled_from(['{"limit": "²"}', '{"period": 1}']),
    }
)


@given(pairs=query_params, stats_type=st.sampled_from(["risk", "threat", "²"]))
@FUZZ
def test_raw_reads_with_any_query_string_answer_200_or_400(monarc, pairs, stats_type):
    query = urlencode([("type", stats_type), *pairs])
    reply = monarc.get(f"/api/v1/stats/?{query}")
    assert_json_answer(reply, {200, 400})


@given(fixed=processed_params, pairs=query_params)
@FUZZ
def test_processed_reads_with_any_query_string_answer_200_or_400(monarc, fixed, pairs):
    query = urlencode([("type", "threat"), *fixed.items(), *pairs])
    reply = monarc.get(f"/api/v1/stats/processed/?{query}")
    assert_json_answer(reply, {200, 400})
