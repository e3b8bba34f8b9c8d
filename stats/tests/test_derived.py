"""stats.derived keeps facts, labels, rollups and totals in step with the records, whichever
way records are deleted: the writer itself, a queryset or an instance, the admin, a client."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib import admin

from clients import dependents
from clients.models import Client
from stats import derived
from stats.admin import StatsAdmin
from stats.models import (
    FACT_MODELS,
    ROLLUP_MODELS,
    Analysis,
    Label,
    ObjectDailyTotal,
    Stats,
)
from statsservice.testing.seed import ANR_A, ANR_B, daily_batch

pytestmark = pytest.mark.django_db

DERIVED = (*FACT_MODELS, *ROLLUP_MODELS, ObjectDailyTotal, Label)


def rows(model: type[Any]) -> list[tuple[Any, ...]]:
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    found = []
    for values in model.objects.values_list(*fields):
        row = dict(zip(fields, values, strict=True))
        if model is ObjectDailyTotal and not row["n"]:
            continue  # a group whose facts are all gone keeps a zeroed total
        found.append(tuple(round(v, 6) if isinstance(v, float) else v for v in row.values()))
    return sorted(found, key=repr)


def assert_in_step() -> None:
    """The derived rows equal what a rebuild from the remaining records gives."""
    before = {model.__name__: rows(model) for model in DERIVED}
    derived.rebuild()
    assert {model.__name__: rows(model) for model in DERIVED} == before


@pytest.fixture
def two_clients(user_client, other_client, store) -> tuple[Client, Client]:
    a, b = user_client[0], other_client[0]
    for day in ("2026-11-27", "2026-11-28"):
        store(a, *daily_batch(day, [ANR_A, ANR_B]))
        store(b, *daily_batch(day, [ANR_A]))
    return a, b


def test_a_queryset_delete_of_records_keeps_rollups_and_totals_in_step(two_clients):
    a, _ = two_clients
    records = Stats.objects.filter(analysis__client=a, date="2026-11-27", type="threat")
    assert records.delete() == (2, {"stats.Stats": 2})
    assert not Stats.objects.filter(analysis__client=a, date="2026-11-27", type="threat").exists()
    assert_in_step()


def test_deleting_one_record_keeps_rollups_and_totals_in_step(two_clients):
    _, b = two_clients
    record = Stats.objects.get(analysis__client=b, date="2026-11-28", type="vulnerability")
    assert record.delete() == (1, {"stats.Stats": 1})
    assert record.pk is None
    assert_in_step()


def test_a_queryset_delete_drops_the_analyses_it_empties_and_moves_the_others_dates(
    two_clients,
):
    a, _ = two_clients
    Stats.objects.filter(analysis__client=a, date="2026-11-28").delete()
    assert Analysis.objects.get(client=a, uuid=ANR_A).last_date == date(2026, 11, 27)
    Stats.objects.filter(analysis__client=a, analysis__uuid=ANR_A).delete()
    assert not Analysis.objects.filter(client=a, uuid=ANR_A).exists()
    assert_in_step()


def test_a_queryset_delete_of_analyses_takes_their_records_and_facts(two_clients):
    deleted, per_model = Analysis.objects.filter(uuid=ANR_A).delete()
    assert per_model == {"stats.Analysis": 2, "stats.Stats": 20}
    assert deleted == 22
    assert set(Stats.objects.values_list("analysis__uuid", flat=True)) == {
        Analysis.objects.get().uuid
    }
    assert_in_step()


def test_deleting_a_client_directly_takes_its_share_out_of_the_totals(two_clients):
    a, b = two_clients
    a.delete()
    assert not Label.objects.filter(client_id=a.pk).exists()
    assert_in_step()
    Client.objects.filter(pk=b.pk).delete()
    assert not Stats.objects.exists()
    assert not ObjectDailyTotal.objects.exclude(n=0).exists()


def test_the_stats_admin_deletes_through_the_writer(two_clients):
    a, _ = two_clients
    stats_admin = StatsAdmin(Stats, admin.site)
    stats_admin.delete_queryset(None, Stats.objects.filter(analysis__client=a, type="threat"))
    stats_admin.delete_model(None, Stats.objects.filter(analysis__client=a).first())
    assert Stats.objects.filter(analysis__client=a).count() == 15
    assert_in_step()


def test_a_sliced_queryset_delete_is_refused():
    with pytest.raises(TypeError, match="limit"):
        Stats.objects.all()[:1].delete()


def test_removing_a_whole_clients_records_keeps_the_client(two_clients):
    a, _ = two_clients
    assert derived.remove_records(records=a) == 20
    assert Client.objects.filter(pk=a.pk).exists()
    assert not Analysis.objects.filter(client=a).exists()
    assert_in_step()


def test_clients_counts_the_records_that_go_with_a_client_through_the_stats_app(two_clients):
    a, b = two_clients
    assert dependents.count_records(client=a) == 20
    assert dependents.count_records(client=b) == 10
