"""Cross-client isolation: a client never reads, deletes or sees another client's stats."""

import pytest
from django.utils import timezone

from stats.models import Stats
from statsservice.testing.seed import ANR, daily_batch, record

TODAY = timezone.localdate().isoformat()
B_ANR = "9c1b2f7e-5d4a-4e3b-8f6a-1a2b3c4d5e6f"


@pytest.fixture
def a_and_b(api, api_b):
    assert api.post("/api/v1/stats/", daily_batch(TODAY, [ANR])).status_code == 201
    assert api_b.post("/api/v1/stats/", daily_batch(TODAY, [B_ANR])).status_code == 201


def test_b_cannot_read_a_s_stats(api_b, a_and_b):
    response = api_b.get("/api/v1/stats/", {"type": "risk"})
    assert [item["anr"] for item in response.json()["data"]] == [B_ANR]
    response = api_b.get("/api/v1/stats/", {"type": "risk", "anrs": [ANR]})
    assert response.json()["data"] == []
    response = api_b.get("/api/v1/stats/", {"type": "risk", "anrs": [ANR], "get_last": True})
    assert response.json()["data"] == []


def test_b_cannot_read_a_s_analysis(api_b, a_and_b):
    assert api_b.get(f"/api/v1/stats/{ANR}").status_code == 404


def test_b_cannot_delete_a_s_analysis(api_b, a_and_b):
    assert api_b.delete(f"/api/v1/stats/{ANR}").status_code == 204
    assert Stats.objects.filter(analysis__uuid=ANR).count() == 5


def test_b_s_collection_check_does_not_see_a_s_day(api, api_b):
    api.post("/api/v1/stats/", [record("risk", TODAY)])
    check = {"type": "risk", "date_from": TODAY, "date_to": TODAY}
    assert api_b.get("/api/v1/stats/", check).json()["data"] == []
    assert len(api.get("/api/v1/stats/", check).json()["data"]) == 1


def test_b_posting_under_a_s_analysis_uuid_does_not_touch_a_s_records(api, api_b, a_and_b):
    changed = record("risk", TODAY)
    changed["data"]["risks"]["current"]["informational"][0]["value"] = 999
    assert api_b.post("/api/v1/stats/", [changed]).status_code == 201
    a_risk = api.get("/api/v1/stats/", {"type": "risk"}).json()["data"]
    assert a_risk[0]["data"]["risks"]["current"]["informational"][0]["value"] == 83


def test_an_admin_reads_and_deletes_every_client_s_stats(api_admin, a_and_b):
    response = api_admin.get("/api/v1/stats/", {"type": "risk"})
    assert sorted(item["anr"] for item in response.json()["data"]) == sorted([ANR, B_ANR])
    assert api_admin.get(f"/api/v1/stats/{ANR}").status_code == 200
    assert api_admin.delete(f"/api/v1/stats/{B_ANR}").status_code == 204
    assert not Stats.objects.filter(analysis__uuid=B_ANR).exists()
