"""Input a database cannot store answers 400 (PostgreSQL's text holds no NUL, UTF-8 has no
unpaired surrogates), and numbers too large for the fact columns are refused up front."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from stats.kinds.checks import INT_MAX, MAX_NUMBER
from stats.models import Label, Stats
from stats.services import payload_text
from stats.validation import BatchInvalid, validate_batch
from statsservice.testing.seed import record

STATS = "/api/v1/stats/"
DAY = (timezone.localdate() - timedelta(days=1)).isoformat()


def with_label(text_escape: str) -> str:
    """A threat batch whose first label is spelled with a JSON escape (json.dumps cannot)."""
    body = json.dumps([record("threat", DAY)])
    return body.replace('"label1": "', f'"label1": "{text_escape}', 1)


@pytest.mark.parametrize("escape", ["\\u0000", "\\ud800", "\\uDC00x"], ids=["nul", "high", "low"])
def test_it_refuses_a_label_the_database_cannot_store(api, escape):
    response = api.post(STATS, raw=with_label(escape))
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["Error"]
    assert Stats.objects.count() == 0


def test_it_refuses_an_unpaired_surrogate_anywhere_in_the_payload(api):
    risk = record("risk", DAY)
    risk["data"]["total"]["note"] = "PLACEHOLDER"
    body = json.dumps([risk]).replace("PLACEHOLDER", "\\udfff")
    response = api.post(STATS, raw=body)
    assert response.status_code == 400
    assert Stats.objects.count() == 0


def test_a_surrogate_pair_is_a_character_and_is_stored(api):
    # U+1F600 written as the pair of escapes JSON uses for characters beyond the BMP.
    response = api.post(STATS, raw=with_label("\\ud83d\\ude00"))
    assert response.status_code == 201
    assert Label.objects.filter(label1__startswith="\U0001f600").count() == 1


def test_an_escaped_backslash_before_u0000_is_plain_text(api):
    response = api.post(STATS, raw=with_label("\\\\u0000"))
    assert response.status_code == 201
    assert Label.objects.filter(label1__startswith="\\u0000").count() == 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [("a\x00b", "NUL"), ("\ud800", "surrogate")],
)
def test_validation_refuses_unstorable_text_from_any_source(value, reason):
    # Imports and pulls do not go through the HTTP parser: validation guards them too.
    threats = record("threat", DAY)
    threats["data"][0]["label2"] = value
    with pytest.raises(BatchInvalid) as caught:
        validate_batch([threats], max_records=10)
    assert caught.value.error.where == "data[0].label2"
    assert reason in caught.value.error.reason


def test_it_refuses_a_count_beyond_the_fact_columns(api):
    threats = record("threat", DAY)
    threats["data"][0]["count"] = INT_MAX + 1
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "data[0].count"


def test_it_refuses_a_rate_that_is_not_a_finite_float(api):
    threats = record("threat", DAY)
    threats["data"][0]["averageRate"] = 10**400
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "data[0].averageRate"


def test_payload_text_keeps_huge_integers_exact_and_escapes_what_it_must():
    huge = 10**30
    assert payload_text({"n": huge, "é": 1}) == f'{{"n":{huge},"\\u00e9":1}}'
    assert payload_text({"s": "\ud800"}) == '{"s":"\\ud800"}'
    assert payload_text({"b": "é", "a": [1.5, None]}) == '{"b":"é","a":[1.5,null]}'


def test_a_huge_integer_outside_the_checked_fields_is_kept_exactly(api):
    risk = record("risk", DAY)
    risk["data"]["total"]["reference"] = 10**30
    assert api.post(STATS, [risk]).status_code == 201
    assert Stats.objects.get().data["total"]["reference"] == 10**30


@pytest.mark.parametrize("literal", ["1e400", "-1e400"])
def test_a_number_that_overflows_a_double_is_refused(api, literal):
    risk = record("risk", DAY)
    risk["data"]["total"]["reference"] = 0
    body = json.dumps([risk]).replace('"reference": 0', f'"reference": {literal}')
    response = api.post(STATS, raw=body)
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["Error"]
    assert Stats.objects.count() == 0


@pytest.mark.parametrize("other", [12345678901234567890, 1], ids=["slow-parser", "fast-parser"])
def test_both_parsers_refuse_an_overflowing_double(api, other):
    # A 20-digit integer elsewhere in the body sends it to the standard library's parser.
    risk = record("risk", DAY)
    risk["data"]["total"]["reference"] = 0
    risk["data"]["total"]["id"] = other
    body = json.dumps([risk]).replace('"reference": 0', '"reference": 1e999')
    response = api.post(STATS, raw=body)
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["Error"]


@pytest.mark.parametrize("rate", ["1e300", "-1.7e308", 1e300])
def test_it_refuses_a_rate_whose_sums_and_means_would_overflow(api, rate):
    # Sums of two such rates overflow a double (PostgreSQL errors, the means turn infinite).
    threats = record("threat", DAY)
    threats["data"][0]["averageRate"] = rate
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "data[0].averageRate"
    assert "at most" in response.json()["details"]["reason"]
    assert Stats.objects.count() == 0


@pytest.mark.parametrize("value", ["1e300", 1e300])
def test_it_refuses_a_compliance_value_whose_sums_would_overflow(api, value):
    compliance = record("compliance", DAY)
    compliance["data"][0]["current"][0]["value"] = value
    response = api.post(STATS, [compliance])
    assert response.status_code == 400
    assert response.json()["details"]["field"].endswith(".value")
    assert Stats.objects.count() == 0


def test_the_largest_accepted_rate_still_averages(api):
    # Two analyses at the bound on one day: the sums and means stay finite.
    from statsservice.testing.seed import ANR_A, ANR_B

    threats = [record("threat", DAY, anr) for anr in (ANR_A, ANR_B)]
    for batch in threats:
        batch["data"][0]["averageRate"] = str(MAX_NUMBER)
    assert api.post(STATS, threats).status_code == 201
    response = api.get(
        "/api/v1/stats/processed/",
        {"type": "threat", "processor": "threat_average_on_date", "processor_params": []},
    )
    assert response.status_code == 200
    averages = {entry["object"]: entry["averages"] for entry in response.json()["data"]}
    assert averages[threats[0]["data"][0]["uuid"]]["averageRate"] == MAX_NUMBER


@pytest.mark.parametrize("key", [str(INT_MAX + 1), "-" + str(INT_MAX + 2), "1" * 5000])
def test_it_refuses_a_matrix_level_beyond_the_fact_columns(api, key):
    # Matrix levels become the impact and likelihood columns (32-bit integers).
    cartography = record("cartography", DAY)
    cartography["data"]["risks"]["current"]["informational"] = {key: {"1": 2}}
    response = api.post(STATS, [cartography])
    assert response.status_code == 400
    assert "data.risks.current.informational" in response.json()["details"]["field"]
    assert Stats.objects.count() == 0


@pytest.mark.parametrize("rate", ["\u0663", "²", "\uff13.5"])
def test_a_rate_written_in_other_scripts_digits_is_refused(api, rate):
    threats = record("threat", DAY)
    threats["data"][0]["averageRate"] = rate
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "data[0].averageRate"
    assert Stats.objects.count() == 0


def test_a_date_written_in_other_scripts_digits_is_refused(api):
    threats = record("threat", DAY)
    threats["date"] = "\u0662\u0660\u0662\u0666-\u0661\u0661-\u0660\u0661"
    response = api.post(STATS, [threats])
    assert response.status_code == 400
    assert Stats.objects.count() == 0
