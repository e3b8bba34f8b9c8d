"""GET and DELETE /api/v1/stats/<anr>."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stats.models import Analysis, Stats
from statsservice.testing.seed import ANR, daily_batch

TODAY = timezone.localdate()
DAYS = [(TODAY - timedelta(days=n)).isoformat() for n in (1, 0)]
ANR2 = "0b0c6c2a-8e0d-4d0e-9a49-5e1b4e0f5a11"


@pytest.fixture
def stored(api):
    for day in DAYS:
        assert api.post("/api/v1/stats/", daily_batch(day, [ANR, ANR2])).status_code == 201


def test_it_returns_every_record_of_the_analysis_in_date_order(api, stored):
    response = api.get(f"/api/v1/stats/{ANR}")
    assert response.status_code == 200
    body = response.json()
    assert body["metadata"]["count"] == 10
    assert {item["anr"] for item in body["data"]} == {ANR}
    assert [item["date"] for item in body["data"]] == [DAYS[0]] * 5 + [DAYS[1]] * 5


def test_it_answers_404_for_an_unknown_analysis(api, stored):
    response = api.get("/api/v1/stats/6b9f1c4e-1111-4c2d-9a49-5e1b4e0f5a11")
    assert response.status_code == 404
    assert response.json() == {"Error": "Not found."}


@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_malformed_uuid_answers_400(api, method):
    response = api.call(method, "/api/v1/stats/not-a-uuid")
    assert response.status_code == 400
    assert "not a valid analysis UUID" in response.json()["Error"]


def test_delete_removes_the_analysis_and_answers_204_with_an_empty_body(api, stored):
    response = api.delete(f"/api/v1/stats/{ANR}")
    assert response.status_code == 204
    assert response.content == b""
    assert not Analysis.objects.filter(uuid=ANR).exists()
    assert Stats.objects.filter(analysis__uuid=ANR2).count() == 10


def test_delete_answers_204_when_nothing_matched(api):
    assert api.delete(f"/api/v1/stats/{ANR}").status_code == 204


def test_delete_works_with_a_trailing_slash_too(api, stored):
    assert api.delete(f"/api/v1/stats/{ANR}/").status_code == 204
    assert not Stats.objects.filter(analysis__uuid=ANR).exists()
