"""import_original against a real PostgreSQL database holding the original service's schema.

The source is always PostgreSQL (the original supports nothing else), whatever database the
suite itself runs on; the test is skipped only when no server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date, datetime
from io import StringIO

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client as HttpClient

from clients.models import Client
from clients.tokens import hash_token
from conftest import Api
from stats.models import Stats
from statsservice.testing.seed import PAYLOADS

SERVER = os.environ.get("IMPORT_TEST_PG", "postgres://postgres@127.0.0.1:5432")

# The original's tables, as its SQLAlchemy models create them.
ORIGINAL_SCHEMA = """
CREATE TABLE client (
    id serial PRIMARY KEY,
    uuid uuid NOT NULL UNIQUE,
    name varchar(100) UNIQUE,
    token varchar(100) UNIQUE,
    role integer,
    latitude double precision,
    longitude double precision,
    last_seen timestamp without time zone,
    local boolean,
    is_sharing_enabled boolean,
    created_at timestamp without time zone,
    updated_at timestamp without time zone,
    is_active boolean
);
CREATE TABLE stats (
    uuid uuid PRIMARY KEY,
    anr uuid NOT NULL,
    type varchar NOT NULL,
    date date NOT NULL,
    data jsonb NOT NULL,
    created_at timestamp without time zone,
    client_id integer REFERENCES client(id)
);
"""

FO1 = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000001")
ADMIN = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000002")
FO3 = uuid.UUID("aaaaaaaa-0000-4000-8000-000000000003")
ANR = uuid.UUID("bbbbbbbb-0000-4000-8000-000000000001")
FO1_TOKEN = "short-token"  # the original accepted any token: it must keep working
ADMIN_TOKEN = "x" * 86


def _connect(dbname: str):
    connection = psycopg2.connect(f"{SERVER}/{dbname}", connect_timeout=3)
    connection.autocommit = True
    return connection


@pytest.fixture
def source_url():
    try:
        admin = _connect("postgres")
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable on {SERVER} ({exc}); the source must be one")
    name = f"original_src_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        with _connect(name) as source, source.cursor() as cursor:
            cursor.execute(ORIGINAL_SCHEMA)
        yield f"{SERVER}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def fill(url: str) -> None:
    with psycopg2.connect(url) as source, source.cursor() as cursor:
        clients = [
            (1, FO1, "FO 1", FO1_TOKEN, 1, 49.6, 6.1, False, True),
            (2, ADMIN, "admin", ADMIN_TOKEN, 2, None, None, True, True),
            (3, FO3, "FO 3", "y" * 86, 1, 120.0, 6.0, True, False),  # bad latitude
        ]
        for cid, cuuid, name, token, role, lat, lon, sharing, active in clients:
            cursor.execute(
                "INSERT INTO client (id, uuid, name, token, role, latitude, longitude, last_seen,"
                " local, is_sharing_enabled, created_at, is_active)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, true, %s, now(), %s)",
                (
                    cid,
                    str(cuuid),
                    name,
                    token,
                    role,
                    lat,
                    lon,
                    datetime(2022, 7, 1),
                    sharing,
                    active,
                ),
            )

        def stat(client_id, stats_type, day, data, created):
            cursor.execute(
                "INSERT INTO stats (uuid, anr, type, date, data, created_at, client_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    str(uuid.uuid4()),
                    str(ANR),
                    stats_type,
                    day,
                    json.dumps(data),
                    created,
                    client_id,
                ),
            )

        old_risk = json.loads(json.dumps(PAYLOADS["risk"]))
        old_risk["total"]["current"]["informational"] = 1
        # FO 1 posted its 2022-03-01 batch twice (the original has no uniqueness): keep the later.
        stat(1, "risk", date(2022, 3, 1), old_risk, datetime(2022, 3, 1, 1, 0))
        stat(1, "risk", date(2022, 3, 1), PAYLOADS["risk"], datetime(2022, 3, 1, 2, 0))
        stat(1, "threat", date(2022, 3, 1), PAYLOADS["threat"], datetime(2022, 3, 1, 1, 0))
        stat(1, "risk", date(2022, 3, 2), PAYLOADS["risk"], None)
        # The same analysis uuid under another client is another analysis.
        stat(3, "vulnerability", date(2022, 3, 1), PAYLOADS["vulnerability"], None)
        # Not importable: unknown type, scalar data, no client.
        stat(1, "risk_process", date(2022, 3, 1), {}, None)
        stat(1, "compliance", date(2022, 3, 3), "oops", None)
        stat(None, "risk", date(2022, 3, 1), PAYLOADS["risk"], None)


def run_import(url: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_original", "--database-url", url, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_imports_clients_and_one_record_per_analysis_type_and_day(db, source_url):
    fill(source_url)

    line, warnings = run_import(source_url)

    assert line == (
        "Clients: 3 imported, 0 already present, 0 skipped. Stats: 4 record(s) stored from "
        "8 source row(s) (1 duplicate(s) dropped, 2 invalid, 1 without client)."
    )
    assert (
        warnings.count("Skipped invalid record") == 2 and "(risk_process, 2022-03-01)" in warnings
    )
    fo1 = Client.objects.get(uuid=FO1)
    assert (fo1.name, fo1.role, fo1.is_sharing_enabled, fo1.is_active) == (
        "FO 1",
        "user",
        False,
        True,
    )
    assert (fo1.latitude, fo1.longitude) == (49.6, 6.1)
    assert fo1.token_hash == hash_token(FO1_TOKEN)
    assert Client.objects.get(uuid=ADMIN).role == "admin"
    fo3 = Client.objects.get(uuid=FO3)
    assert (fo3.is_active, fo3.latitude) == (False, None)
    kept = Stats.objects.get(analysis__client=fo1, type="risk", date=date(2022, 3, 1))
    assert kept.data == PAYLOADS["risk"]
    assert Stats.objects.filter(analysis__client=fo3).count() == 1


def test_imported_tokens_keep_working_on_the_api(db, source_url):
    fill(source_url)
    run_import(source_url)
    reply = Api(HttpClient(), FO1_TOKEN).get(
        "/api/v1/stats/", {"type": "risk", "date_from": "2022-01-01", "date_to": "2022-12-31"}
    )
    assert reply.status_code == 200
    assert [r["date"] for r in reply.json()["data"]] == ["2022-03-01", "2022-03-02"]


def test_it_can_be_run_again_without_changing_anything(db, source_url):
    fill(source_url)
    run_import(source_url)
    before = sorted(
        Stats.objects.values_list("uuid", "analysis__uuid", "type", "date", "data_json")
    )

    line, _ = run_import(source_url)

    assert line.startswith("Clients: 0 imported, 3 already present, 0 skipped. Stats: 4 record(s)")
    after = sorted(Stats.objects.values_list("uuid", "analysis__uuid", "type", "date", "data_json"))
    assert after == before
    assert Client.objects.count() == 3


def test_a_client_clashing_with_an_existing_one_is_skipped_with_its_stats(
    db, source_url, make_client
):
    fill(source_url)
    make_client("FO 1")  # same name, other uuid

    line, warnings = run_import(source_url)

    assert "Clients: 2 imported, 0 already present, 1 skipped." in line
    assert "Skipped client 'FO 1'" in warnings
    assert not Stats.objects.filter(analysis__client__name="FO 1").exists()


def test_it_explains_an_unreachable_or_foreign_database(db, source_url):
    with pytest.raises(CommandError, match="Cannot read the original database"):
        run_import("postgres://postgres@127.0.0.1:1/nothing")
    with psycopg2.connect(source_url) as source, source.cursor() as cursor:
        cursor.execute("DROP TABLE stats; DROP TABLE client")
    with pytest.raises(CommandError, match="does not look like the original"):
        run_import(source_url)
    with pytest.raises(CommandError, match="postgres:// URL"):
        run_import("sqlite:///x")
