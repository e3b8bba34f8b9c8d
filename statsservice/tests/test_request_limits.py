"""Bodies over API_MAX_BODY_SIZE get 413 and over-nested JSON gets 400, before any work."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stats.models import Stats
from statsservice.jsontext import json_depth_exceeds, parse_json
from statsservice.testing.seed import daily_batch


def limit_body(settings, size: int) -> None:
    # As settings.py does: Django's own limit and the parser's are the same number.
    settings.API_MAX_BODY_SIZE = size
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = size


@pytest.mark.parametrize("django_limit", [True, False], ids=["django", "parser"])
def test_it_refuses_a_body_over_the_size_limit_with_413(api, settings, django_limit):
    settings.API_MAX_BODY_SIZE = 4096
    if django_limit:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = daily_batch("2026-11-01", ["eb2d701d-1edb-421f-8aff-82d544196d68"])

    reply = api.post("/api/v1/stats/", body)

    assert reply.status_code == 413
    assert reply.json() == {"Error": "Request body larger than 4096 bytes."}
    assert Stats.objects.count() == 0


def test_it_refuses_a_body_whose_declared_length_is_over_the_limit(api, settings):
    limit_body(settings, 1024)
    reply = api.post("/api/v1/stats/", raw="[]", headers={"Content-Length": "999999"})
    assert reply.status_code == 413
    assert reply.json() == {"Error": "Request body larger than 1024 bytes."}


def test_it_accepts_a_body_just_under_the_limit(api, settings):
    body = daily_batch("2026-11-01", ["eb2d701d-1edb-421f-8aff-82d544196d68"])
    limit_body(settings, len(json.dumps(body).encode()))
    assert api.post("/api/v1/stats/", body).status_code == 201


def test_it_refuses_json_nested_deeper_than_the_limit(api, settings):
    settings.API_MAX_JSON_DEPTH = 8
    deep: object = 1
    for _ in range(9):
        deep = [deep]
    reply = api.post("/api/v1/stats/", deep)
    assert reply.status_code == 400
    assert reply.json() == {"Error": "JSON nested deeper than 8 levels."}


def test_it_survives_pathological_nesting(api):
    reply = api.post("/api/v1/stats/", raw="[" * 100_000 + "]" * 100_000)
    assert reply.status_code == 400
    assert "nested" in reply.json()["Error"]


def test_a_record_at_the_depth_limit_is_accepted(api, settings):
    settings.API_MAX_JSON_DEPTH = 8
    body = [
        {
            "anr": "eb2d701d-1edb-421f-8aff-82d544196d68",
            "type": "compliance",
            "date": "2026-11-01",
            "data": [],
        }
    ]
    assert api.post("/api/v1/stats/", body).status_code == 201


def depth(value: object) -> int:
    """Reference nesting depth, by recursion over the parsed value."""
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


# Strings full of what the text scan must not take for structure.
tricky_text = st.text(alphabet='[]{}"\\\\/:,ab \n\t\u00e9', max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | tricky_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
    max_leaves=40,
)


@given(
    value=json_values,
    limit=st.integers(min_value=1, max_value=12),
    indent=st.sampled_from([None, 2]),
    ascii_only=st.booleans(),
)
def test_the_text_depth_check_agrees_with_the_parsed_depth(value, limit, indent, ascii_only):
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert json_depth_exceeds(text.encode(), limit) == (depth(value) > limit)


@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-(10**40), max_value=10**40)
        | st.floats(allow_nan=False, allow_infinity=False)
        | tricky_text,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(tricky_text, inner, max_size=4),
        max_leaves=30,
    ),
    ascii_only=st.booleans(),
)
def test_the_fast_parser_reads_what_the_standard_library_reads(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    parsed = parse_json(text.encode())
    # Same values and types: a huge integer must not come back as a float.
    assert json.dumps(parsed) == json.dumps(json.loads(text))
