"""The attacks on the public statistics, tried as an attacker would with four sharing
organisations and PUBLIC_MIN_CONTRIBUTORS=3: none yields one organisation's figures any more,
and `public_audit` finds no violation on the data sets they use.

The protected organisation is always `D`; its figures are told apart by their size (1000+)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from clients.services import create_client
from dashboard import public
from dashboard.audit import run_audit
from dashboard.disclosure import public_clients
from dashboard.tests.days import day
from stats.processors import Scope, run_processor
from statsservice.testing.seed import (
    COMMON,
    SMALL_CARTOGRAPHY,
    compliance_payload,
    item,
    record,
    risk_payload,
)

pytestmark = pytest.mark.django_db

SECRET = 1234  # D's count, maxRisk, risk values and heat-map cell: must never be readable
OWN = "0c000000-0000-4000-8000-00000000000c"  # an object only D reports
OTHER_REFERENTIAL = "0b000000-0000-4000-8000-00000000000b"


def get(path: str, **params):
    response = HttpClient().get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def body(path: str, **params) -> str:
    return json.dumps(get(path, **params))


def send(store, client, when: str, *, value: int, anr: str, own: bool = False, **labels):
    threats = [item(COMMON, value, value, "2", label2="Eavesdropping", **labels)]
    if own:
        threats.append(item(OWN, value, value, "2", label2="Only D"))
    cartography = json.loads(json.dumps(SMALL_CARTOGRAPHY))
    cartography["risks"]["current"]["informational"] = {"1": {"2": value}}
    store(
        client,
        record("threat", when, anr, threats),
        record("vulnerability", when, anr, threats),
        record("risk", when, anr, risk_payload(value, value, value)),
        record("cartography", when, anr, cartography),
        record("compliance", when, anr, compliance_payload("0.40")),
    )


@pytest.fixture
def orgs(store):
    """A, B and C report every day of the last week with ordinary figures; D exists."""
    made = {}
    for index, name in enumerate("ABCD"):
        client, _ = create_client(
            name=name, latitude=49.6 + index / 1000, longitude=6.1 + index / 1000
        )
        made[name] = client
    for index, name in enumerate("ABC"):
        for offset in range(7):
            send(store, made[name], day(offset), value=10 + index, anr=f"a{index}".ljust(8, "0")
                 + "-0000-4000-8000-000000000000")  # fmt: skip
    return made


def anr(n: int) -> str:
    return f"{n:08d}-0000-4000-8000-000000000000"


def threats_everywhere() -> list[str]:
    """Every public threat answer an attacker would compare."""
    out = []
    for days in (1, 6, 7, 8, 20, 21, 30, 31, 365):
        for last in (0, 1):
            for local in (0, 1):
                out.append(
                    body("/stats/threats.json", days=days, last_stats=last, local_stats_only=local)
                )
    return out


def assert_secret_nowhere() -> None:
    pages = [
        *threats_everywhere(),
        body("/stats/vulnerabilities.json", days=30),
        body("/stats/risks.json", days=30),
        body("/stats/risks.json", processor="risk_averages_on_date", days=30),
        body("/stats/cartography.json", days=30),
        body("/stats/cartography.json", processor="cartography_average", days=30),
        body("/stats/compliance.json", days=30),
        body("/map/clients.json"),
    ]
    for page in pages:
        assert str(SECRET) not in page
        assert OWN not in page


def assert_audit_clean() -> None:
    report = run_audit()
    assert report.violations == []
    call_command("public_audit")  # exits 0


def test_window_differencing_gives_nothing(store, orgs):
    """D reports on one day of the month only: days=N against days=N-1 isolated it."""
    send(store, orgs["D"], day(20), value=SECRET, anr=anr(4), own=True)
    assert body("/stats/threats.json", days=21) == body("/stats/threats.json", days=20)
    assert body("/stats/threats.json", days=30) == body("/stats/threats.json", days=7)
    for processor in ("cartography_sum", "cartography_average"):
        assert body("/stats/cartography.json", processor=processor, days=30) == body(
            "/stats/cartography.json", processor=processor, days=7
        )
    assert_secret_nowhere()
    assert_audit_clean()


def test_a_day_with_four_organisations_is_published_whole(store, orgs):
    """The same day with every organisation: the difference of two windows is then a mean over
    four organisations, not D's figure."""
    send(store, orgs["D"], day(3), value=12, anr=anr(4))
    week = {row["object"]: row for row in get("/stats/threats.json", days=7)}
    point = next(p for p in week[COMMON]["values"] if p["date"] == day(3))
    assert point["count"] == (10 + 11 + 12 + 12) / 4
    assert_audit_clean()


def test_a_dominant_organisation_is_withheld(store, orgs):
    """Enough organisations, but D makes up most of the sum: its day is withheld."""
    send(store, orgs["D"], day(0), value=SECRET, anr=anr(4))
    today = {row["object"]: row for row in get("/stats/threats.json", days=7)}
    assert [p["date"] for p in today[COMMON]["values"]] == [day(o) for o in range(6, 0, -1)]
    assert_secret_nowhere()
    assert_audit_clean()


def test_cells_of_one_contributor_are_not_published(store, orgs):
    """A risk level name, a heat-map cell, a referential only D reports."""
    risk = risk_payload(1, 1, 1)
    risk["risks"]["current"]["informational"].append({"level": "D's own level", "value": SECRET})
    cartography = json.loads(json.dumps(SMALL_CARTOGRAPHY))
    cartography["risks"]["residual"]["operational"] = {"9": {"9": SECRET}}
    store(
        orgs["D"],
        record("risk", day(0), anr(4), risk),
        record("cartography", day(0), anr(4), cartography),
        record("compliance", day(0), anr(4),
               compliance_payload("0.60", referential=OTHER_REFERENTIAL)),
    )  # fmt: skip
    assert "D's own level" not in body("/stats/risks.json", days=7)
    assert "D's own level" not in body("/stats/risks.json", processor="risk_averages_on_date")
    residual = get("/stats/cartography.json", days=7)["residual"]["operational"]
    assert residual.get("9", {}).get("9") is None  # withheld: null, never a real-looking 0
    compliance = body("/stats/compliance.json", days=7)
    assert OTHER_REFERENTIAL not in compliance
    assert_secret_nowhere()
    assert_audit_clean()


def test_local_stats_only_does_not_isolate_the_remote_contributor(store, orgs):
    remote, _ = create_client(name="remote instance", local=False)
    send(store, remote, day(0), value=SECRET, anr=anr(5), own=True)
    for endpoint in ("threats", "risks", "cartography", "compliance"):
        assert body(f"/stats/{endpoint}.json", days=7, local_stats_only=1) == body(
            f"/stats/{endpoint}.json", days=7, local_stats_only=0
        ), endpoint
    assert_secret_nowhere()
    assert_audit_clean()


def test_the_same_analyses_under_two_clients_count_once(store):
    """Two real organisations; one's export imported into two more clients: still two."""
    a, _ = create_client(name="A")
    b, _ = create_client(name="B")
    copy1, _ = create_client(name="A again", local=False)
    copy2, _ = create_client(name="A once more", local=False)
    send(store, a, day(0), value=SECRET, anr=anr(1))
    send(store, b, day(0), value=SECRET + 1, anr=anr(2))
    for client in (copy1, copy2):
        send(store, client, day(0), value=SECRET, anr=anr(1))
    assert get("/stats/threats.json") == []
    assert get("/stats/risks.json") == {}
    report = run_audit()
    assert report.contributors == 2
    assert report.merged == [["A", "A again", "A once more"]]
    assert report.violations == []


def test_the_map_never_shows_one_organisation(store, orgs):
    far, _ = create_client(name="far away", latitude=10.0, longitude=10.0)
    send(store, far, day(0), value=SECRET, anr=anr(6), own=True)
    send(store, orgs["D"], day(0), value=13, anr=anr(4))
    data = get("/map/clients.json")
    assert [(e["latitude"], e["longitude"], e["contributors"]) for e in data] == [(49.6, 6.1, 4)]
    # The area's figure is the mean of its organisations, not one of theirs.
    assert data[0]["max_threat"] == [(10 + 11 + 12 + 13) / 4, COMMON]
    assert_secret_nowhere()
    assert_audit_clean()


def test_threat_and_vulnerability_sharing_a_uuid_keep_their_labels_apart_on_the_map(store, orgs):
    data = get("/map/clients.json")
    assert set(data[0]["labels"]) == {"threat", "vulnerability"}


def test_one_sender_cannot_write_the_public_label(store, orgs):
    send(store, orgs["D"], day(0), value=11, anr=anr(4), label3="Visit https://evil.example")
    store(
        orgs["D"],
        record("threat", day(1), anr(4),
               [item(COMMON, 11, 11, "2", label2="FAKE NOTICE: https://evil.example")]),
    )  # fmt: skip
    page = body("/stats/threats.json", days=7)
    assert "evil" not in page
    labels = get("/stats/threats.json", days=7)[0]["labels"]
    assert labels["label2"] == "Eavesdropping"
    assert labels["label3"] == ""  # sent by one organisation only
    assert_audit_clean()


def test_the_audit_reports_the_attacks_on_unprotected_answers(store, orgs):
    """Served as before (every record in the window, whatever the cells), the differencing of
    windows shows as violations."""
    send(store, orgs["D"], day(20), value=SECRET, anr=anr(4), own=True)

    def unprotected(query, who, space):
        scope = Scope(
            clients=public_clients(),
            date_from=public.window_start(query.days),
            local_only=query.local_only,
            latest_only=query.last_stats,
        )
        params = {"period": query.period} if query.period else None
        return run_processor(
            query.processor, stats_type=query.stats_type, scope=scope, params=params
        )

    report = run_audit(served=unprotected)
    assert any(str(SECRET) in v or OWN in v for v in report.violations)
    assert any("published cells give" in v for v in report.violations)
