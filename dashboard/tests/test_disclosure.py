"""The threshold applies to every figure: referentials and each point of a time series too."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from dashboard.tests.days import day
from statsservice.testing.seed import COMMON, REFERENTIAL, compliance_payload, record

pytestmark = pytest.mark.django_db

OTHER_REFERENTIAL = "0b000000-0000-4000-8000-00000000000b"


def get(path: str, **params):
    response = HttpClient().get(path, params)
    assert response.status_code == 200
    return response.json()


def test_a_referential_used_by_one_organisation_stays_hidden(contributors, store):
    made = contributors(3)
    store(
        made[0],
        record("compliance", day(), "44444444-4444-4444-8444-444444444444",
            compliance_payload("0.40", referential=OTHER_REFERENTIAL)),
    )  # fmt: skip
    for processor in ("compliance_averages", "compliance_average_on_date"):
        data = get("/stats/compliance.json", processor=processor)
        assert [ref["referential"] for ref in data] == [REFERENTIAL], processor


def test_a_day_only_one_organisation_reported_is_left_out_of_time_series(contribute, contributors):
    made = contributors(3)
    contribute(made[0], index=0, offset=20)  # an older day reported by one organisation only
    threats = {row["object"]: row for row in get("/stats/threats.json")}
    assert [point["date"] for point in threats[COMMON]["values"]] == [day()]
    risks = get("/stats/risks.json", processor="risk_averages_on_date")
    for branch in risks.values():
        for levels in branch.values():
            for points in levels.values():
                assert [point["date"] for point in points] == [day()]
    compliance = get("/stats/compliance.json", processor="compliance_average_on_date")
    assert [point["date"] for point in compliance[0]["categories"][0]["values"]] == [day()]


def test_a_period_shared_by_enough_organisations_is_shown(contribute, contributors):
    made = contributors(3)
    for client in made:
        contribute(client, index=1, offset=7)
    threats = {row["object"]: row for row in get("/stats/threats.json")}
    assert [point["date"] for point in threats[COMMON]["values"]] == [day(7), day()]


def test_overall_averages_leave_out_the_days_one_organisation_reported(contribute, contributors):
    """A window's mean is built from published days only: otherwise the difference between two
    windows would give that organisation's figure."""
    made = contributors(3)
    contribute(made[0], index=40, offset=20)
    threats = {row["object"]: row for row in get("/stats/threats.json")}
    assert threats[COMMON]["averages"]["count"] == (2 + 3 + 4) / 3
