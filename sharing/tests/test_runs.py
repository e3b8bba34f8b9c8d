"""Run records: one context manager gives push, withdraw, pull, export and import their outcome."""

from __future__ import annotations

import pytest

from sharing.models import SharingRun
from sharing.runs import recorded_run


def test_a_run_whose_clients_all_succeed_is_a_success_with_its_counts(make_client):
    client, _ = make_client()
    with (
        recorded_run("push", target="https://global.example") as record,
        record.client(client) as entry,
    ):
        entry.progress(records=3, size=100, chunks=1)
        entry.progress(records=2, size=50, chunks=1)
    run = SharingRun.objects.get()
    assert (run.outcome, run.clients, run.records, run.bytes, run.chunks) == (
        "success",
        1,
        5,
        150,
        2,
    )
    assert run.finished_at is not None
    assert run.per_client.get().outcome == "success"


def test_a_failing_client_makes_the_run_partial_and_keeps_its_message(make_client):
    first, _ = make_client("a")
    second, _ = make_client("b")
    with recorded_run("push", target="t") as record:
        with pytest.raises(ValueError), record.client(first):
            raise ValueError("refused")
        record.fail("a: refused")
        with record.client(second):
            pass
    run = SharingRun.objects.get()
    assert (run.outcome, run.error) == ("partial", "a: refused")
    assert {e.client_name: (e.outcome, e.error) for e in run.per_client.all()} == {
        "a": ("failed", "refused"),
        "b": ("success", ""),
    }


def test_a_stop_reason_is_recorded_after_the_failures_without_counting_as_one(db):
    with recorded_run("push", target="t") as record:
        record.fail("x failed")
        record.stop("stopped: remote unreachable")
    run = SharingRun.objects.get()
    assert (run.outcome, run.error) == ("failed", "x failed\nstopped: remote unreachable")


def test_an_expected_error_is_recorded_by_its_message_and_propagates(db):
    with pytest.raises(LookupError), recorded_run("pull", target="t", errors=(LookupError,)):
        raise LookupError("no data list")
    run = SharingRun.objects.get()
    assert (run.outcome, run.error) == ("failed", "no data list")


def test_anything_else_is_recorded_as_an_interruption(db):
    with pytest.raises(KeyboardInterrupt), recorded_run("import", target="f", dry_run=True):
        raise KeyboardInterrupt
    run = SharingRun.objects.get()
    assert (run.outcome, run.error, run.dry_run) == (
        "failed",
        "interrupted: KeyboardInterrupt: ",
        True,
    )
