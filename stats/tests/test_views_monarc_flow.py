"""Replay of MONARC's daily `monarc:collect-stats` and global-dashboard calls (§4), real size."""

import json
import uuid
from datetime import timedelta

from django.utils import timezone

from stats.models import Stats
from statsservice.testing.seed import sized_batch

TODAY = timezone.localdate()
ANRS = [str(uuid.UUID(int=n, version=4)) for n in range(1, 61)]
MONARC = {"User-Agent": "MONARC/2.14.1"}


def collected(api, day: str) -> bool:
    check = {"type": "risk", "date_from": day, "date_to": day}
    response = api.get("/api/v1/stats/", check, headers=MONARC)
    assert response.status_code == 200
    return bool(response.json()["data"])


def test_monarc_collects_reads_and_deletes_like_in_production(api, user_client):
    yesterday, today = (TODAY - timedelta(days=1)).isoformat(), TODAY.isoformat()

    me = api.get("/api/v1/client/me", headers=MONARC).json()
    assert me["token"] == user_client[1]
    assert me["is_sharing_enabled"] is True

    # Day 1: not collected yet, so one POST with 5 records per analysis (60 analyses, ~2.7 MB,
    # above Django's 2.5 MB default body limit).
    assert not collected(api, yesterday)
    batch = sized_batch(yesterday, ANRS, seed=1)
    assert len(json.dumps(batch)) > 2_621_440
    response = api.post("/api/v1/stats/", batch, headers=MONARC)
    assert response.status_code == 201
    assert collected(api, yesterday)
    assert Stats.objects.count() == 300

    # Day 2 (a subset of analyses), then a cron re-run the same day stops at the check.
    assert not collected(api, today)
    assert (
        api.post(
            "/api/v1/stats/", sized_batch(today, ANRS[:10], seed=2), headers=MONARC
        ).status_code
        == 201
    )
    assert collected(api, today)
    assert Stats.objects.count() == 350

    # Global dashboard: threats over 3 months for the visible analyses, sorted by date, so that
    # MONARC's "last record of an ANR wins" keeps the newest.
    dashboard = {
        "type": "threat",
        "date_from": (TODAY - timedelta(days=92)).isoformat(),
        "date_to": today,
        "get_last": False,
        "anrs": ANRS[:12],
    }
    items = api.get("/api/v1/stats/", dashboard, headers=MONARC).json()["data"]
    assert len(items) == 22
    last_by_anr = {item["anr"]: item["date"] for item in items}
    assert [last_by_anr[a] for a in ANRS[:10]] == [today] * 10
    assert [last_by_anr[a] for a in ANRS[10:12]] == [yesterday] * 2
    assert [item["date"] for item in items] == sorted(item["date"] for item in items)

    cartography = {"type": "cartography", "get_last": True, "anrs": ANRS}
    items = api.get("/api/v1/stats/", cartography, headers=MONARC).json()["data"]
    assert len(items) == 60
    assert {item["date"] for item in items if item["anr"] in ANRS[:10]} == {today}

    # An analysis is deleted in MONARC: its stats go, nothing else does.
    assert api.delete(f"/api/v1/stats/{ANRS[0]}", headers=MONARC).status_code == 204
    assert Stats.objects.count() == 340
    items = api.get("/api/v1/stats/", {**cartography, "anrs": ANRS[:2]}, headers=MONARC).json()
    assert [item["anr"] for item in items["data"]] == [ANRS[1]]

    # The sharing switch in MONARC's settings.
    assert (
        api.patch("/api/v1/client/me", {"is_sharing_enabled": False}, headers=MONARC).status_code
        == 200
    )
    assert api.get("/api/v1/client/me", headers=MONARC).json()["is_sharing_enabled"] is False
