"""compliance_averages and compliance_average_on_date against hand-computed means."""

from __future__ import annotations

from typing import Any

import pytest

from stats.tests.aggregation import run
from statsservice.testing.seed import ANR_A, ANR_B, record

pytestmark = pytest.mark.django_db

REF = "f31925a6-e55b-5cd2-a20f-a16cfe8e0be0"
M1, M2, M3, M4 = (f"{n}dc336a9-9610-545d-9328-5be377a2110a" for n in "1234")
POLICIES = {"label1": "Politiques", "label2": "Policies", "label3": None, "label4": ""}
ORGANISATION = {"label1": "Organisation", "label2": "", "label3": "", "label4": ""}


def category(labels, value, controls) -> dict[str, Any]:
    return {
        **labels,
        "controls": [{"code": c, "measure": m, "value": v} for c, m, v in controls],
        "value": value,
    }


def compliance(cat_a, cat_b, targets_b="1") -> list[dict[str, Any]]:
    """Two categories: A (controls 5.1.1, 5.1.2, maybe 5.1.10) and B (control 6.1)."""
    (a_value, a_controls), (b_value, b_control) = cat_a, cat_b
    target_a = [(c, m, "1") for c, m, _ in a_controls]
    b_target = "1.00" if targets_b == "1" else "0.00"
    return [
        {
            "referential": REF,
            "label1": "ISO/IEC 27002 [2013]",
            "label2": "ISO/IEC 27002 [2013]",
            "label3": "",
            "label4": None,
            "current": [
                category(POLICIES, a_value, a_controls),
                category(ORGANISATION, b_value, [("6.1", M3, b_control)]),
            ],
            "target": [
                category(POLICIES, "1.00", target_a),
                category(ORGANISATION, b_target, [("6.1", M3, targets_b)]),
            ],
        }
    ]


FIRST = compliance(
    ("0.70", [("5.1.1", M1, "0.80"), ("5.1.2", M2, "0.60"), ("5.1.10", M4, "1.00")]),
    ("0.00", "0.00"),
    targets_b="0",
)
SECOND = compliance(("0.30", [("5.1.1", M1, "0.40"), ("5.1.2", M2, "0.20")]), ("1.00", "1.00"))


@pytest.fixture
def two_analyses(user_client, store):
    client, _ = user_client
    store(
        client,
        record("compliance", "2026-03-02", ANR_A, FIRST),
        record("compliance", "2026-03-20", ANR_B, SECOND),
        record("compliance", "2026-04-01", ANR_A, FIRST),
    )


def test_it_averages_categories_and_controls(two_analyses):
    data = run("compliance_averages", "compliance", [], date_to="2026-03-31")
    assert len(data) == 1
    assert data[0]["referential"] == REF
    assert data[0]["labels"] == {
        "label1": "ISO/IEC 27002 [2013]",
        "label2": "ISO/IEC 27002 [2013]",
        "label3": "",
        "label4": "",
    }
    policies, organisation = data[0]["categories"]
    assert policies["labels"] == {
        "label1": "Politiques",
        "label2": "Policies",
        "label3": "",
        "label4": "",
    }
    assert (policies["current"], policies["target"]) == (0.5, 1.0)  # (0.7 + 0.3) / 2
    assert (organisation["current"], organisation["target"]) == (0.5, 0.5)
    # Controls sorted by code as strings; each mean over the records containing it.
    assert policies["controls"] == [
        {"code": "5.1.1", "measure": M1, "current": 0.6, "target": 1.0},
        {"code": "5.1.10", "measure": M4, "current": 1.0, "target": 1.0},
        {"code": "5.1.2", "measure": M2, "current": 0.4, "target": 1.0},
    ]
    assert organisation["controls"] == [
        {"code": "6.1", "measure": M3, "current": 0.5, "target": 0.5}
    ]


def test_it_averages_categories_per_month(two_analyses):
    data = run("compliance_average_on_date", "compliance", {"period": "month"})
    policies, organisation = data[0]["categories"]
    assert list(policies) == ["labels", "values", "averages"]
    assert policies["values"] == [
        {"date": "2026-03-01", "current": 0.5, "target": 1.0},
        {"date": "2026-04-01", "current": 0.7, "target": 1.0},
    ]
    # Over the three records: (0.7 + 0.3 + 0.7) / 3.
    assert policies["averages"] == {"current": 0.5667, "target": 1.0}
    assert organisation["averages"] == {"current": 0.3333, "target": 0.3333}


def test_it_averages_per_day_by_default(two_analyses):
    data = run("compliance_average_on_date", "compliance")
    dates = [point["date"] for point in data[0]["categories"][0]["values"]]
    assert dates == ["2026-03-02", "2026-03-20", "2026-04-01"]


def test_it_filters_one_referential(two_analyses):
    other = "00000000-0000-4000-8000-000000000000"
    assert run("compliance_averages", "compliance", {"referential": other}) == []
    assert len(run("compliance_averages", "compliance", {"referential": REF})) == 1


def test_it_answers_an_empty_list_for_empty_payloads(user_client, store):
    store(user_client[0], record("compliance", "2026-03-02", ANR_A, []))
    assert run("compliance_averages", "compliance") == []
    assert run("compliance_average_on_date", "compliance") == []


def test_each_compliance_processor_costs_three_queries(two_analyses, django_assert_num_queries):
    with django_assert_num_queries(3):
        run("compliance_averages", "compliance")
    with django_assert_num_queries(3):
        run("compliance_average_on_date", "compliance", {"period": "quarter"})
