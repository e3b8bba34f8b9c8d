"""stats_purge, stats_delete, stats_list_last and stats_remove_duplicate."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from stats.management.commands._base import DERIVED_DATA_LOCK, months_ago
from stats.models import Analysis, Stats
from statsservice.locks import job_lock
from statsservice.testing.seed import record

ANR_A = uuid.UUID("11111111-1111-4111-8111-111111111111")
ANR_B = uuid.UUID("22222222-2222-4222-8222-222222222222")


@pytest.fixture
def store_record(store):
    """One record as stored, whatever its payload (validation would refuse some of them)."""

    def store_record(client, anr: uuid.UUID, stats_type: str, day: date, data: Any = None) -> None:
        store(client, record(stats_type, day.isoformat(), str(anr), data), validate=False)

    return store_record


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_months_ago_counts_calendar_months_across_years_and_clamps_month_ends():
    assert months_ago(36, date(2026, 11, 28)) == date(2023, 11, 28)
    assert months_ago(2, date(2026, 1, 15)) == date(2025, 11, 15)
    assert months_ago(1, date(2026, 3, 31)) == date(2026, 2, 28)
    assert months_ago(1, date(2024, 3, 31)) == date(2024, 2, 29)


def test_purge_deletes_only_records_older_than_the_window(user_client, store_record):
    client, _ = user_client
    today = timezone.localdate()
    cutoff = months_ago(3, today)
    store_record(client, ANR_A, "risk", cutoff - timedelta(days=1))
    store_record(client, ANR_A, "risk", cutoff)
    store_record(client, ANR_B, "threat", cutoff - timedelta(days=40))

    out = run("stats_purge", "--months", "3")

    assert out.strip() == f"Deleted 2 stats record(s) dated before {cutoff}."
    assert list(Stats.objects.values_list("date", flat=True)) == [cutoff]
    # ANR_B lost its only record, so the analysis goes too; ANR_A's dates are recomputed.
    assert list(Analysis.objects.values_list("uuid", "first_date")) == [(ANR_A, cutoff)]


def test_purge_dry_run_deletes_nothing(user_client, store_record):
    client, _ = user_client
    store_record(client, ANR_A, "risk", date(2020, 1, 1))
    out = run("stats_purge", "--months", "1", "--dry-run")
    assert out.startswith("Would delete 1 stats record(s)")
    assert Stats.objects.count() == 1


def test_purge_defaults_to_the_setting(user_client, settings, store_record):
    client, _ = user_client
    settings.STATS_PURGE_MONTHS = 12
    today = timezone.localdate()
    store_record(client, ANR_A, "risk", months_ago(13, today))
    store_record(client, ANR_A, "risk", months_ago(11, today))
    out = run("stats_purge")
    assert f"dated before {months_ago(12, today)}" in out
    assert Stats.objects.count() == 1


def test_purge_rejects_a_non_positive_window(db):
    with pytest.raises(CommandError, match="at least 1"):
        run("stats_purge", "--months", "0")


def test_stats_delete_removes_one_clients_stats_and_keeps_the_client(
    user_client, other_client, store_record
):
    client, _ = user_client
    other, _ = other_client
    store_record(client, ANR_A, "risk", date(2026, 1, 1))
    store_record(client, ANR_B, "risk", date(2026, 1, 1))
    store_record(other, ANR_A, "risk", date(2026, 1, 1))

    out = run("stats_delete", "--client", str(client.uuid), "-y")

    assert out.strip() == "Deleted 2 stats record(s) of client 'monarc-a'."
    assert list(Stats.objects.values_list("analysis__client", flat=True)) == [other.pk]
    client.refresh_from_db()


def test_stats_delete_asks_for_confirmation(user_client, monkeypatch, store_record):
    client, _ = user_client
    store_record(client, ANR_A, "risk", date(2026, 1, 1))
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Aborted"):
        run("stats_delete", "--client", str(client.uuid))
    assert Stats.objects.count() == 1


def test_stats_delete_rejects_unknown_clients(db):
    with pytest.raises(CommandError, match="No client"):
        run("stats_delete", "--client", str(uuid.uuid4()), "-y")
    with pytest.raises(CommandError, match="not a valid UUID"):
        run("stats_delete", "--client", "nope", "-y")


def test_list_last_prints_the_newest_records_first(user_client, store_record):
    client, _ = user_client
    store_record(client, ANR_A, "risk", date(2026, 1, 1))
    store_record(client, ANR_B, "threat", date(2026, 1, 2))
    store_record(client, ANR_A, "vulnerability", date(2026, 1, 3))

    lines = run("stats_list_last", "--count", "2").splitlines()

    assert len(lines) == 3
    assert "vulnerability" in lines[0] and str(ANR_A) in lines[0] and "monarc-a" in lines[0]
    assert "threat" in lines[1] and "date=2026-01-02" in lines[1]
    assert lines[2] == "2 of 3 stats record(s) shown."


def test_remove_duplicate_keeps_changes_and_the_first_record_of_each_month(
    user_client, store_record
):
    client, _ = user_client
    same = {"a": 1, "b": [1, 2]}
    reordered = {"b": [1, 2], "a": 1}
    changed = {"a": 2, "b": [1, 2]}
    days = {
        date(2025, 12, 30): same,  # kept: first
        date(2025, 12, 31): reordered,  # repeat (key order does not matter)
        date(2026, 1, 1): same,  # kept: a new month, even though the year changed
        date(2026, 1, 2): same,  # repeat
        date(2026, 1, 3): changed,  # kept: data changed
        date(2026, 1, 4): same,  # kept: differs from the record before it
        date(2026, 12, 1): same,  # kept: December of another year (the original's bug)
    }
    for day, data in days.items():
        store_record(client, ANR_A, "risk", day, data)
    # Another analysis and type with the same data are compared separately.
    store_record(client, ANR_B, "risk", date(2025, 12, 31), same)
    store_record(client, ANR_A, "threat", date(2025, 12, 31), [])

    assert run("stats_remove_duplicate", "--dry-run").strip() == (
        "Would delete 2 repeated stats record(s)."
    )
    assert Stats.objects.count() == 9

    assert run("stats_remove_duplicate").strip() == "Deleted 2 repeated stats record(s)."
    kept = set(
        Stats.objects.filter(analysis__uuid=ANR_A, type="risk").values_list("date", flat=True)
    )
    assert kept == set(days) - {date(2025, 12, 31), date(2026, 1, 2)}
    assert run("stats_remove_duplicate").strip() == "Deleted 0 repeated stats record(s)."


def test_remove_duplicate_filters_by_type_and_age(user_client, store_record):
    client, _ = user_client
    for day in (date(2020, 5, 1), date(2020, 5, 2)):
        store_record(client, ANR_A, "risk", day, {"x": 1})
        store_record(client, ANR_A, "threat", day, [])
    today = timezone.localdate()
    store_record(client, ANR_B, "risk", today - timedelta(days=1), {"x": 1})
    store_record(client, ANR_B, "risk", today, {"x": 1})

    out = run("stats_remove_duplicate", "--type", "risk", "--months", "1", "--dry-run")

    assert out.strip() == "Would delete 1 repeated stats record(s)."
    with pytest.raises(CommandError, match="Unknown type"):
        run("stats_remove_duplicate", "--type", "nope")


@pytest.mark.parametrize("command", ["stats_purge", "stats_rebuild_facts"])
def test_purge_and_rebuild_do_not_start_while_the_other_holds_the_derived_data_lock(
    user_client, command, store_record
):
    client, _ = user_client
    store_record(client, ANR_A, "risk", date(2020, 1, 1))
    with job_lock(DERIVED_DATA_LOCK):
        with pytest.raises(CommandError, match="Not started: another run holds the lock"):
            run(command)
        assert Stats.objects.count() == 1
        assert run(command, "--dry-run").startswith("Would")  # a dry run changes nothing
    assert run(command).startswith(("Deleted 1", "Rebuilt"))
