"""Differencing over time: two readings of the same public window on the same day, one before
and one after an organisation's records of today arrive, must be the same. Public windows end
on the last complete day (dashboard.public.last_complete_day), so today's records never show."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from django.utils import timezone

from clients.models import Client
from clients.services import create_client
from dashboard import audit, public, rising, views
from statsservice.testing import seed
from statsservice.testing.seed import (
    COMMON,
    SMALL_CARTOGRAPHY,
    compliance_payload,
    item,
    record,
    risk_payload,
)

pytestmark = pytest.mark.django_db

# D's figures of today, ordinary ones (neither dominant nor alone in their cells): only the
# window end keeps them from being read as the difference of two readings of the same window.
TODAY = 14


def send(store: Callable[..., None], client: Client, when: str, *, value: int, anr: str) -> None:
    threats = [item(COMMON, value, value, "2", label2="Eavesdropping")]
    cartography = json.loads(json.dumps(SMALL_CARTOGRAPHY))
    cartography["risks"]["current"]["informational"] = {"1": {"2": value}}
    store(
        client,
        record("threat", when, anr, threats),
        record("vulnerability", when, anr, threats),
        record("risk", when, anr, risk_payload(value, value, value)),
        record("cartography", when, anr, cartography),
        record("compliance", when, anr, compliance_payload(f"0.{value % 90 + 10}")),
    )


def anr(n: int) -> str:
    return f"{n:08d}-0000-4000-8000-000000000000"


def every_public_answer() -> dict[str, Any]:
    """Every public answer the audit enumerates, the map, Rising and the About figures."""
    client = HttpClient()
    out: dict[str, Any] = {}
    for query in audit.queries():
        params: dict[str, str | int] = {
            "processor": query.processor,
            "days": query.days,
            "last_stats": int(query.last_stats),
            "local_stats_only": int(query.local_only),
        }
        if query.period:
            params["period"] = query.period
        response = client.get(f"/stats/{query.endpoint}.json", params)
        assert response.status_code == 200, response.content
        out[query.cache_part()] = response.content
    out["map"] = client.get("/map/clients.json").content
    for period in rising.PERIODS:
        out[f"rising {period}"] = client.get("/stats/rising.json", {"period": period}).content
    out["about data"] = views.data_facts()
    return out


@pytest.fixture
def three_reported(store: Callable[..., None]) -> dict[str, Client]:
    """A, B and C report on each of the last four complete days and already today; D reported
    with them four days ago, in the analysis it sends today's records in."""
    made = {}
    for index, name in enumerate("ABCD"):
        client, _ = create_client(
            name=name, latitude=49.6 + index / 1000, longitude=6.1 + index / 1000
        )
        made[name] = client
    for index, name in enumerate("ABC"):
        for offset in range(5):
            send(store, made[name], seed.day(offset), value=10 + index, anr=anr(index))
    send(store, made["D"], seed.day(4), value=13, anr=anr(3))
    return made


def test_a_fourth_organisation_reporting_today_changes_no_public_answer(
    store: Callable[..., None], three_reported: dict[str, Client]
) -> None:
    before = every_public_answer()
    threats = json.loads(before["threats|threat_average_on_date|7|0|0|"])
    assert [p["date"] for p in threats[0]["values"]] == [seed.day(o) for o in range(4, 0, -1)]

    send(store, three_reported["D"], seed.day(0), value=TODAY, anr=anr(3))

    assert every_public_answer() == before
    assert audit.run_audit().violations == []
    call_command("public_audit")  # exits 0


def test_windows_ending_today_would_show_what_arrived_in_between(
    store: Callable[..., None],
    three_reported: dict[str, Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The attack above is real: with windows ending today, D's records of today move the
    answers (and the window end is in the cache key, so nothing stale hides it)."""
    monkeypatch.setattr(public, "last_complete_day", timezone.localdate)
    before = every_public_answer()
    send(store, three_reported["D"], seed.day(0), value=TODAY, anr=anr(3))
    after = every_public_answer()
    moved = [key for key in before if after[key] != before[key]]
    assert "threats|threat_average_on_date|7|0|0|" in moved
    assert "threats|threat_average_on_date|7|1|0|" in moved
    threats = json.loads(after["threats|threat_average_on_date|7|0|0|"])
    point = next(p for p in threats[0]["values"] if p["date"] == seed.day(0))
    assert point["count"] == (10 + 11 + 12 + TODAY) / 4  # was (10 + 11 + 12) / 3: D's is 14


def test_the_window_end_is_part_of_every_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """At midnight the windows move on, data or not: the cached answers must too."""
    first = public.generation()
    later = public.last_complete_day() + timedelta(days=1)
    monkeypatch.setattr(public, "last_complete_day", lambda: later)
    assert public.generation() != first
