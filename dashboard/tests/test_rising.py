"""/stats/rising.json: what moved most between the last two complete periods."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client as HttpClient

from clients.services import create_client
from dashboard import public, rising
from statsservice.testing.seed import item, record

pytestmark = pytest.mark.django_db

UP = "1a000000-0000-4000-8000-000000000001"
DOWN = "1a000000-0000-4000-8000-000000000002"
LONE = "1a000000-0000-4000-8000-000000000003"


def test_periods_are_the_last_two_complete_ones() -> None:
    today = date(2026, 12, 1)
    assert rising.complete_periods(today, "quarter") == (
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
    )
    assert rising.complete_periods(today, "month") == (
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    )
    # 2026-12-01 is a Tuesday: weeks start on Monday.
    assert rising.complete_periods(today, "week") == (
        date(2026, 11, 16),
        date(2026, 11, 23),
        date(2026, 11, 30),
    )


@pytest.fixture
def moving(store: Callable[..., None]) -> None:
    """Three sharing organisations report UP rising and DOWN falling between last month and
    the month before; only one reports LONE, which must never show."""
    before, after, _ = rising.complete_periods(
        public.last_complete_day() + timedelta(days=1), "month"
    )
    for n in range(3):
        client, _ = create_client(name=f"org {n}", is_sharing_enabled=True)
        anr = str(uuid.uuid4())
        for when, up, down in ((before, "1", "3"), (after, "3", "2")):
            threats = [
                item(UP, 2, 8, up, label2="Goes up"),
                item(DOWN, 2, 8, down, label2="Goes down"),
            ]
            if n == 0:
                threats.append(item(LONE, 2, 8, "4" if when == after else "0", label2="Lone"))
            store(client, record("threat", when.isoformat(), anr, threats))


def test_it_lists_objects_up_and_down_from_the_public_answers(moving: None) -> None:
    response = HttpClient().get("/stats/rising.json", {"period": "month"})
    assert response.status_code == 200
    data = response.json()
    assert data["period"] == "month"
    assert [m["object"] for m in data["threats"]["up"]] == [UP]
    assert data["threats"]["up"][0]["change"] == 2.0
    assert data["threats"]["up"][0]["labels"]["label2"] == "Goes up"
    assert [(m["object"], m["change"]) for m in data["threats"]["down"]] == [(DOWN, -1.0)]
    assert data["vulnerabilities"] == {"up": [], "down": []}


def test_it_defaults_to_quarters_and_refuses_other_periods(moving: None) -> None:
    data = HttpClient().get("/stats/rising.json").json()
    assert data["period"] == "quarter"
    response = HttpClient().get("/stats/rising.json", {"period": "day"})
    assert response.status_code == 400
    assert "period" in response.json()["Error"]
