"""Labels and record shapes far beyond MONARC's are refused at ingest with a 400 naming the
field, on SQLite and PostgreSQL alike, before anything is stored."""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from stats.kinds.checks import (
    MAX_CATEGORIES,
    MAX_CONTROLS,
    MAX_LABEL_LENGTH,
    MAX_MATRIX_CELLS,
    MAX_OBJECTS,
    MAX_REFERENTIALS,
)
from stats.models import Stats
from statsservice.testing.seed import record

pytestmark = pytest.mark.django_db

STATS = "/api/v1/stats/"
DAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def refused(api, records, where: str) -> str:
    response = api.post(STATS, records)
    assert response.status_code == 400
    error = response.json()["Error"]
    assert where in error
    assert Stats.objects.count() == 0
    return error


def test_it_refuses_a_label_longer_than_monarc_columns(api):
    threat = record("threat", DAY)
    threat["data"][0]["label2"] = "x" * (MAX_LABEL_LENGTH + 1)
    error = refused(api, [threat], "data[0].label2")
    assert f"longer than {MAX_LABEL_LENGTH}" in error


def test_a_label_of_exactly_255_characters_is_stored(api):
    threat = record("threat", DAY)
    threat["data"][0]["label2"] = "x" * MAX_LABEL_LENGTH
    assert api.post(STATS, [threat]).status_code == 201


def test_it_refuses_a_long_compliance_category_label(api):
    compliance = record("compliance", DAY)
    compliance["data"][0]["current"][0]["label1"] = "y" * 1_000_000
    refused(api, [compliance], "current[0].label1")


def test_it_refuses_too_many_objects_in_one_record(api):
    item = record("threat", DAY)["data"][0]
    items = [dict(item, uuid=str(uuid.uuid4())) for _ in range(MAX_OBJECTS + 1)]
    error = refused(api, [record("threat", DAY, data=items)], "data")
    assert f"more than {MAX_OBJECTS} objects" in error


def test_it_refuses_too_many_cartography_cells(api):
    cartography = record("cartography", DAY)
    row = {str(k): 1 for k in range(MAX_MATRIX_CELLS + 1)}
    cartography["data"]["risks"]["current"]["informational"] = {"1": row}
    error = refused(api, [cartography], "data.risks")
    assert f"more than {MAX_MATRIX_CELLS} cells" in error


def test_it_refuses_too_many_referentials(api):
    compliance = record("compliance", DAY)
    one = compliance["data"][0]
    compliance["data"] = [
        dict(copy.deepcopy(one), referential=str(uuid.uuid4())) for _ in range(MAX_REFERENTIALS + 1)
    ]
    refused(api, [compliance], f"more than {MAX_REFERENTIALS} referentials")


def test_it_refuses_too_many_categories(api):
    compliance = record("compliance", DAY)
    category = compliance["data"][0]["current"][0]
    compliance["data"][0]["current"] = [category] * (MAX_CATEGORIES + 1)
    error = refused(api, [compliance], "data[0].current")
    assert f"more than {MAX_CATEGORIES} categories" in error


def test_it_refuses_too_many_controls(api):
    compliance = record("compliance", DAY)
    control = compliance["data"][0]["current"][0]["controls"][0]
    compliance["data"][0]["current"][0]["controls"] = [control] * (MAX_CONTROLS + 1)
    error = refused(api, [compliance], "controls")
    assert f"more than {MAX_CONTROLS} controls" in error
