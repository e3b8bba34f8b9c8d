"""stats.filtersets: the read parameters as FilterSets, on their own (the API tests cover the
answers)."""

import json
import uuid
from datetime import date

import pytest
from rest_framework.exceptions import ValidationError

from clients.models import Client
from stats.filtersets import ProcessedFilterSet, RawStatsFilterSet
from stats.models import Stats
from statsservice.testing.seed import ANR_A, ANR_B, record, risk

RAW = {"type": "risk"}


def params(filterset_class, data):
    return filterset_class(data).params()


def test_it_takes_monarcs_loose_types():
    got = params(
        RawStatsFilterSet,
        {
            "type": "risk",
            "anrs": f"{ANR_A},{ANR_B}",
            "date_from": "2026-11-01 10:00:00",
            "get_last": "true",
            "offset": " 10 ",
            "limit": None,
        },
    )
    assert got == {
        "type": "risk",
        "anrs": [uuid.UUID(ANR_A), uuid.UUID(ANR_B)],
        "date_from": date(2026, 11, 1),
        "date_to": None,
        "get_last": True,
        "offset": 10,
        "limit": 0,
        "shared_only": False,
    }


def test_absent_and_null_parameters_take_their_defaults():
    got = params(ProcessedFilterSet, {"type": "risk", "processor": " x ", "anrs": None})
    assert got["processor"] == "x"
    assert got["processor_params"] == {}
    assert got["anrs"] == []
    assert got["get_last"] is False


def test_it_refuses_unknown_parameters_before_reading_any():
    with pytest.raises(ValidationError) as caught:
        params(RawStatsFilterSet, {"type": "nope", "nbdays": 3, "colour": 1, "group_by_anr": 1})
    assert caught.value.detail == {"non_field_errors": ["Unknown parameter(s): colour, nbdays."]}


def test_its_errors_follow_the_declared_order_of_the_parameters():
    with pytest.raises(ValidationError) as caught:
        params(RawStatsFilterSet, {"limit": "ten", "anrs": [1], "type": None})
    assert list(caught.value.detail) == ["type", "anrs", "limit"]
    assert caught.value.detail["type"] == ["This field may not be null."]


def test_dates_in_the_wrong_order_are_a_form_error():
    with pytest.raises(ValidationError) as caught:
        params(RawStatsFilterSet, {**RAW, "date_from": "2026-11-02", "date_to": "2026-11-01"})
    assert caught.value.detail == {"non_field_errors": ["date_from must not be after date_to."]}


@pytest.mark.django_db
def test_its_filters_narrow_the_stats_to_the_type_analyses_and_window(user_client, store):
    client = user_client[0]
    store(client, record("risk", "2026-11-28", ANR_A, risk((1, 2, 3))))
    store(client, record("risk", "2026-11-28", ANR_B, risk((1, 2, 3))))
    store(client, record("risk", "2026-10-01", ANR_A, risk((1, 2, 3))))
    data = {**RAW, "anrs": [ANR_A], "date_from": "2026-11-01", "date_to": "2026-11-30"}
    filterset = RawStatsFilterSet(data, queryset=Stats.objects.all())
    filterset.params()
    assert [(str(s.analysis.uuid), s.date.isoformat()) for s in filterset.qs] == [
        (ANR_A, "2026-11-28")
    ]


@pytest.mark.django_db
def test_the_processed_scope_is_what_the_reader_may_read(make_client):
    user, _ = make_client("user")
    admin, _ = make_client("admin", role=Client.Role.ADMIN)
    data = {"type": "risk", "processor": "risk_averages", "local_stats_only": 1}
    assert list(ProcessedFilterSet(data).scope(user).clients) == [user]
    scope = ProcessedFilterSet(data).scope(admin)
    assert scope.clients is None
    assert scope.local_only is True


def test_each_parameter_documents_itself():
    documented = {p.name: p for p in ProcessedFilterSet.openapi_parameters()}
    assert list(documented) == list(ProcessedFilterSet.base_filters)
    assert documented["processor"].required is True
    assert documented["get_last"].type == {"type": "boolean", "nullable": True, "default": False}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("9" * 5000, id="5000-digits"),
        "²",
        "³",
        "\u0661\u0660",
        "\u06f3",
        "1²",
        "\uff11",
    ],
)
def test_integers_are_ascii_digits_only(text):
    with pytest.raises(ValidationError) as caught:
        params(RawStatsFilterSet, {**RAW, "offset": text})
    assert caught.value.detail == {"offset": ["Must be a non-negative integer."]}


def test_processor_params_text_is_held_to_the_json_depth_limit():
    deep = "[" * 33 + "]" * 33
    with pytest.raises(ValidationError) as caught:
        params(ProcessedFilterSet, {"type": "risk", "processor": "x", "processor_params": deep})
    assert caught.value.detail == {"processor_params": ["JSON nested deeper than 32 levels."]}
    fine = '{"a": ' + "[" * 30 + "]" * 30 + "}"
    got = params(ProcessedFilterSet, {"type": "risk", "processor": "x", "processor_params": fine})
    assert got["processor_params"] == {"a": json.loads("[" * 30 + "]" * 30)}
