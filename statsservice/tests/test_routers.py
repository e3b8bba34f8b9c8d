"""The database router: the public dashboard reads its figures from a replica, everything else
(API, admin, commands, cron, every write and migration) stays on the primary."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client as HttpClient

from clients.models import Client
from stats.models import Analysis, Stats
from statsservice import routers
from statsservice import settings as settings_module
from statsservice.locks import job_lock
from statsservice.models import JobLock
from statsservice.routers import PublicReadRouter, public_read, public_reads

router = PublicReadRouter()


@pytest.fixture
def replicas(monkeypatch):
    def configure(*aliases: str) -> None:
        monkeypatch.setattr(routers, "replica_aliases", lambda: list(aliases))

    return configure


def test_reads_outside_a_public_view_go_to_the_primary(replicas):
    replicas("replica_0")
    assert router.db_for_read(Stats) == "default"
    assert router.db_for_read(Client) == "default"


def test_a_public_view_reads_the_stats_and_clients_from_a_replica(replicas):
    replicas("replica_0")
    with public_reads() as alias:
        assert alias == "replica_0"
        assert router.db_for_read(Stats) == "replica_0"
        assert router.db_for_read(Analysis) == "replica_0"
        assert router.db_for_read(Client) == "replica_0"


def test_sessions_and_locks_stay_on_the_primary_even_in_a_public_view(replicas):
    replicas("replica_0")
    with public_reads():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(JobLock) == "default"


def test_writes_go_to_the_primary_even_in_a_public_view(replicas):
    replicas("replica_0")
    with public_reads():
        assert router.db_for_write(Stats) == "default"
        assert router.db_for_write(Client) == "default"


def test_only_the_primary_is_ever_migrated():
    for app_label in ("stats", "clients", "sessions", "statsservice"):
        assert router.allow_migrate("default", app_label) is True
        assert router.allow_migrate("replica_0", app_label) is False


def test_without_replicas_a_public_view_reads_the_primary():
    # The test settings configure no DATABASE_REPLICA_URLS, as production by default.
    assert routers.replica_aliases() == []
    with public_reads() as alias:
        assert alias is None
        assert router.db_for_read(Stats) == "default"


def test_one_request_reads_every_table_from_the_same_replica(replicas):
    # The cache fingerprint and the figures must come from one snapshot.
    replicas("replica_0", "replica_1", "replica_2")
    for _ in range(10):
        with public_reads() as alias:
            assert {router.db_for_read(m) for m in (Stats, Analysis, Client) * 5} == {alias}


def test_the_replica_is_forgotten_when_the_view_ends_even_by_an_error(replicas):
    replicas("replica_0")

    @public_read
    def failing_view() -> None:
        assert router.db_for_read(Stats) == "replica_0"
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        failing_view()
    assert router.db_for_read(Stats) == "default"


@pytest.fixture
def routed(replicas, monkeypatch) -> list[str]:
    """The alias the router picks for each read, while the reads still run on the one test
    database (there is no replica here)."""
    replicas("replica_0")
    picked: list[str] = []
    choose = PublicReadRouter.db_for_read

    def spy(self: PublicReadRouter, model: Any, **hints: Any) -> str:
        picked.append(choose(self, model, **hints) or "default")
        return "default"

    monkeypatch.setattr(PublicReadRouter, "db_for_read", spy)
    return picked


@pytest.mark.django_db
def test_the_public_json_and_map_read_from_the_replica(routed, contributors):
    contributors(3)
    for path in ("/stats/threats.json", "/stats/risks.json", "/map/clients.json"):
        routed.clear()
        assert HttpClient().get(path).status_code == 200
        assert "replica_0" in routed, path


@pytest.mark.django_db
def test_the_api_reads_the_primary(routed, api, store_days, user_client):
    store_days(user_client[0], ["2026-01-05"])
    routed.clear()
    assert api.get("/api/v1/stats/", {"type": "risk", "date_from": "2026-01-01"}).status_code == 200
    assert routed
    assert set(routed) == {"default"}


@pytest.mark.django_db
def test_a_lock_is_taken_on_the_primary(routed):
    with job_lock("push:x"):
        pass
    assert set(routed) == {"default"}


# --- Settings -------------------------------------------------------------------------------


def load_settings(monkeypatch, tmp_path, **env: str) -> dict[str, Any]:
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "DATABASE_REPLICA_URLS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(settings_module.__file__)))


def test_no_replica_is_configured_by_default(monkeypatch, tmp_path):
    settings = load_settings(monkeypatch, tmp_path)
    assert settings["DATABASE_REPLICA_URLS"] == []
    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASE_ROUTERS"] == ["statsservice.routers.PublicReadRouter"]


def test_each_replica_url_becomes_a_read_only_alias(monkeypatch, tmp_path):
    settings = load_settings(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://stats@primary:5432/stats",
        DATABASE_REPLICA_URLS="postgres://stats@replica-a:5432/stats, postgres://stats@replica-b/stats",
    )
    databases = settings["DATABASES"]
    assert list(databases) == ["default", "replica_0", "replica_1"]
    assert [databases[a]["HOST"] for a in databases] == ["primary", "replica-a", "replica-b"]
    for alias in ("replica_0", "replica_1"):
        assert "default_transaction_read_only=on" in databases[alias]["OPTIONS"]["options"]
        assert databases[alias]["TEST"] == {"MIRROR": "default"}
        assert databases[alias]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"]


def test_replicas_of_a_sqlite_database_are_refused(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL streaming replicas"):
        load_settings(monkeypatch, tmp_path, DATABASE_REPLICA_URLS="postgres://stats@r/stats")
