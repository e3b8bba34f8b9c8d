"""/stats/*.json: shapes, parameters, consent and the contributor threshold."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from clients.services import create_client, set_active
from statsservice.testing.seed import COMMON, RARE, VULN

pytestmark = pytest.mark.django_db


def get(path: str, **params):
    response = HttpClient().get(path, params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def objects(data):
    return {row["object"]: row for row in data}


def test_it_lists_threats_reported_by_enough_organisations(contributors):
    contributors(3)
    status, data = get("/stats/threats.json", last_stats=1)
    assert status == 200
    assert set(objects(data)) == {COMMON}
    common = objects(data)[COMMON]
    assert list(common) == ["object", "labels", "values", "averages"]
    assert common["labels"]["label2"] == "Eavesdropping"
    # Counts 2, 3 and 4: a real mean over the three organisations.
    assert common["averages"]["count"] == 3.0


def test_it_serves_vulnerabilities_with_their_default_processor(contributors):
    contributors(3)
    status, data = get("/stats/vulnerabilities.json")
    assert status == 200
    assert [row["object"] for row in data] == [VULN]


def test_it_averages_risks_with_the_original_key_order(contributors):
    contributors(3)
    status, data = get("/stats/risks.json", processor="risk_averages", days=365)
    assert status == 200
    assert list(data) == ["current", "residual"]
    assert list(data["current"]) == ["informational", "operational"]
    assert list(data["current"]["informational"]) == ["Low risks", "Medium risks", "High risks"]
    assert data["current"]["informational"]["Low risks"] == 20.0  # (10 + 20 + 30) / 3


def test_it_hides_every_figure_below_the_threshold(contributors):
    contributors(2)
    assert get("/stats/threats.json")[1] == []
    assert get("/stats/vulnerabilities.json")[1] == []
    assert get("/stats/risks.json")[1] == {}
    assert get("/stats/compliance.json")[1] == []
    assert get("/stats/cartography.json", last_stats=1)[1] in ({}, [])


def test_the_threshold_is_a_setting(settings, contributors):
    settings.PUBLIC_MIN_CONTRIBUTORS = 1
    settings.PUBLIC_MAX_DOMINANCE = 1.0  # one contributor makes up all of every sum
    contributors(1)
    assert set(objects(get("/stats/threats.json")[1])) == {COMMON, RARE}


def test_it_leaves_out_clients_that_do_not_share(contribute, contributors):
    contributors(2)
    quiet, _ = create_client(name="quiet", is_sharing_enabled=False)
    contribute(quiet, index=50)
    # Two sharing organisations are not enough, whatever the third one holds.
    assert get("/stats/threats.json")[1] == []
    assert get("/stats/risks.json")[1] == {}
    contributors(1, start=2)
    common = objects(get("/stats/threats.json")[1])[COMMON]
    assert common["averages"]["count"] == 3.0  # 2, 3, 4: the quiet client's 52 is not there


def test_it_leaves_out_inactive_clients(contributors):
    made = contributors(3)
    set_active(client=made[0], active=False)
    assert get("/stats/threats.json")[1] == []


def test_last_stats_keeps_only_each_analysis_latest_record(contribute, contributors):
    made = contributors(3)
    # An older record of the first analysis with very different values.
    anr = made[0].analyses.get().uuid
    contribute(made[0], index=40, offset=20, anr=str(anr))
    everything = objects(get("/stats/threats.json")[1])[COMMON]["averages"]["count"]
    latest = objects(get("/stats/threats.json", last_stats=1)[1])[COMMON]["averages"]["count"]
    assert latest == 3.0
    # The older day only one organisation reported is withheld (see test_consent).
    assert everything == 3.0


def test_days_bounds_the_window(contribute, contributors):
    made = contributors(3)
    contribute(made[0], index=40, offset=100)
    recent = objects(get("/stats/threats.json", days=30)[1])[COMMON]["averages"]["count"]
    assert recent == 3.0


def test_local_stats_only_leaves_out_other_instances(contribute, contributors):
    contributors(2)
    remote, _ = create_client(name="remote-instance", local=False)
    contribute(remote, index=2)
    assert set(objects(get("/stats/threats.json")[1])) == {COMMON}
    assert get("/stats/threats.json", local_stats_only=1)[1] == []


def test_it_buckets_by_period(contribute, contributors):
    made = contributors(3)
    contribute(made[0], index=0, offset=40)
    _, data = get("/stats/threats.json", period="month", days=90)
    dates = [value["date"] for value in objects(data)[COMMON]["values"]]
    assert all(d.endswith("-01") for d in dates)


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/stats/threats.json", {"processor": "nope"}, "can not be used with type"),
        ("/stats/risks.json", {"processor": "threat_average_on_date"}, "can not be used"),
        ("/stats/threats.json", {"processor": "risk_averages"}, "can not be used"),
        ("/stats/threats.json", {"processor": "__import__"}, "can not be used"),
        ("/stats/threats.json", {"days": "0"}, "'days'"),
        ("/stats/threats.json", {"days": "-5"}, "'days'"),
        ("/stats/threats.json", {"days": "abc"}, "'days'"),
        ("/stats/threats.json", {"days": "999999999999"}, "'days'"),
        ("/stats/threats.json", {"days": "²"}, "'days'"),
        ("/stats/threats.json", {"days": "9" * 5000}, "'days'"),
        ("/stats/threats.json", {"days": "3.5"}, "'days'"),
        ("/stats/threats.json", {"last_stats": "yes please"}, "'last_stats'"),
        ("/stats/threats.json", {"local_stats_only": "2"}, "'local_stats_only'"),
        ("/stats/threats.json", {"period": "decade"}, "'period'"),
        ("/stats/risks.json", {"period": "week"}, "period"),
    ],
)
def test_it_answers_400_with_a_json_error(path, params, message, contributors):
    contributors(3)
    status, body = get(path, **params)
    assert status == 400
    assert message in body["Error"]


def test_it_refuses_other_methods():
    assert HttpClient().post("/stats/threats.json").status_code == 405
