"""generate_demo_stats: valid MONARC shapes, realistic sizes, deterministic."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stats import demo
from stats.kinds.objects import THREAT_CATALOGUE
from stats.models import ObjectFact, Stats
from stats.processors import run_processor
from stats.processors.base import Scope
from stats.validation import validate_batch

DAY = date(2026, 11, 1)


def test_generated_records_pass_validation_and_weigh_about_45_kb():
    records = demo.client_day(seed=7, client_index=0, analyses=3, day=DAY, progress=0.5)
    assert len(validate_batch(records, max_records=100)) == 15
    size = sum(len(json.dumps(r["data"], separators=(",", ":"))) for r in records) / 3
    assert 35_000 < size < 55_000


def test_each_analysis_has_the_contracts_shapes():
    records = {
        r["type"]: r["data"]
        for r in demo.analysis_day(seed=7, anr=demo.analysis_uuid(7, 0, 0), day=DAY, progress=0)
    }
    assert len(records["threat"]) == 35
    assert len(records["vulnerability"]) == 30
    [iso] = records["compliance"]
    assert len(iso["current"]) == len(iso["target"]) == 14
    assert sum(len(c["controls"]) for c in iso["current"]) == 114
    assert all(isinstance(c["value"], str) for c in iso["current"])
    assert all(isinstance(t["averageRate"], str) for t in records["threat"])


def test_the_same_seed_gives_the_same_data():
    one = demo.client_day(seed=3, client_index=1, analyses=2, day=DAY, progress=0.2)
    two = demo.client_day(seed=3, client_index=1, analyses=2, day=DAY, progress=0.2)
    other = demo.client_day(seed=4, client_index=1, analyses=2, day=DAY, progress=0.2)
    assert one == two
    assert one != other


def test_analyses_share_one_catalogue():
    first, second = (
        {
            t["uuid"]
            for t in demo.analysis_day(
                seed=1, anr=demo.analysis_uuid(1, 0, i), day=DAY, progress=0
            )[1]["data"]
        }
        for i in (0, 1)
    )
    assert first & second
    assert first | second <= {item.uuid for item in THREAT_CATALOGUE}


@pytest.mark.django_db
def test_the_command_stores_through_ingest_and_reruns_idempotently():
    args = ["--clients", "2", "--analyses", "2", "--days", "3", "--end-date", "2026-11-01"]
    out = io.StringIO()
    call_command("generate_demo_stats", *args, stdout=out)
    assert "Stored 60 records" in out.getvalue()
    assert Stats.objects.count() == 60
    facts = ObjectFact.objects.count()
    assert facts == 2 * 2 * 3 * (35 + 30)
    before = run_processor("threat_average_on_date", stats_type="threat", scope=Scope(clients=None))
    call_command("generate_demo_stats", *args, stdout=io.StringIO())
    assert (Stats.objects.count(), ObjectFact.objects.count()) == (60, facts)
    after = run_processor("threat_average_on_date", stats_type="threat", scope=Scope(clients=None))
    assert before == after


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--days", "0"], ["--end-date", "tomorrow"]])
def test_the_command_refuses_bad_options(args):
    with pytest.raises(CommandError):
        call_command("generate_demo_stats", *args, stdout=io.StringIO())


def test_demo_labels_are_real_french_in_label1():
    records = {
        r["type"]: r["data"]
        for r in demo.analysis_day(seed=7, anr=demo.analysis_uuid(7, 0, 0), day=DAY, progress=0)
    }
    fire = next(t for t in THREAT_CATALOGUE if t.labels["label2"] == "Fire")
    assert fire.labels["label1"] == "Incendie"
    [iso] = records["compliance"]
    assert all("(FR)" not in c["label1"] for c in iso["current"])
    assert all("(FR)" not in t["label1"] for t in records["threat"])
