"""Token encryption, export/import files, admin and cron settings (in process)."""

from __future__ import annotations

import gzip
import json
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sharing import crypto
from sharing.models import RemoteCredential, SharingRun
from stats.models import Stats

ANRS = ["0b1e2c4d-6f70-4a81-9b92-a3b4c5d6e7f8"]


def test_a_token_encrypted_with_another_key_is_reported_not_garbled(settings):
    encrypted = crypto.encrypt_token("secret-token-value")
    assert crypto.decrypt_token(encrypted) == "secret-token-value"
    settings.SHARING_TOKEN_KEY = "another key"
    with pytest.raises(crypto.TokenUnreadable, match="sharing_token_set"):
        crypto.decrypt_token(encrypted)


def test_an_export_is_self_describing_and_imports_identically(make_client, tmp_path, store_days):
    source, _ = make_client("source")
    store_days(source, ["2026-11-01"], ANRS)
    off, _ = make_client("not-sharing", is_sharing_enabled=False)
    store_days(off, ["2026-11-02"], ANRS)
    path = tmp_path / "out.json.gz"
    call_command("stats_export", "--out", str(path), "--gzip", stdout=StringIO())
    document = json.loads(gzip.decompress(path.read_bytes()))
    assert document["format"] == "statsservice-export"
    assert document["count"] == 5  # the client that does not share is left out
    assert [c["name"] for c in document["clients"]] == ["source"]

    target, _ = make_client("air-gapped", local=False)
    out = StringIO()
    call_command("stats_import", str(path), "--client", str(target.uuid), stdout=out)
    call_command("stats_import", str(path), "--client", str(target.uuid), stdout=out)
    copied = Stats.objects.filter(analysis__client=target).order_by("type")
    original = Stats.objects.filter(analysis__client=source).order_by("type")
    assert len(copied) == 5
    assert [(s.type, s.date, s.data_json) for s in copied] == [
        (s.type, s.date, s.data_json) for s in original
    ]
    assert SharingRun.objects.filter(kind="import").count() == 2


def test_an_import_with_one_bad_record_stores_nothing(make_client, tmp_path, store_days):
    source, _ = make_client("source")
    store_days(source, ["2026-11-01"], ANRS)
    path = tmp_path / "out.json"
    call_command("stats_export", "--out", str(path), stdout=StringIO())
    document = json.loads(path.read_text())
    document["records"][3]["date"] = "2026-02-30"
    path.write_text(json.dumps(document))
    target, _ = make_client("air-gapped", local=False)
    with pytest.raises(CommandError, match=r"record #3 is invalid: date"):
        call_command("stats_import", str(path), "--client", str(target.uuid))
    assert not Stats.objects.filter(analysis__client=target).exists()
    with pytest.raises(CommandError, match="is local"):
        call_command("stats_import", str(path), "--client", str(source.uuid))
    path.write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="not a Stats Service export"):
        call_command("stats_import", str(path), "--client", str(target.uuid))


def test_the_admin_lists_runs_and_never_shows_a_remote_token(admin_client, make_client):
    client, _ = make_client()
    call_command(
        "sharing_token_set",
        "--client",
        str(client.uuid),
        "--token",
        "never-shown-token-1",
        stdout=StringIO(),
    )
    SharingRun.objects.create(kind="push", target="https://global.example", outcome="failed")
    runs_page = admin_client.get("/admin/sharing/sharingrun/")
    assert runs_page.status_code == 200
    assert b"global.example" in runs_page.content
    credential = RemoteCredential.objects.get(client=client)
    credential_page = admin_client.get(f"/admin/sharing/remotecredential/{credential.pk}/change/")
    assert credential_page.status_code == 200
    assert b"never-shown-token-1" not in credential_page.content


def test_the_admin_stores_a_new_remote_token_encrypted(admin_client, make_client):
    client, _ = make_client()
    response = admin_client.post(
        "/admin/sharing/remotecredential/add/",
        {"client": client.pk, "target": "https://global.example/stats/", "token": "typed-token-1"},
    )
    assert response.status_code == 302
    credential = RemoteCredential.objects.get(client=client)
    assert credential.target == "https://global.example/stats"
    assert crypto.decrypt_token(credential.token_encrypted) == "typed-token-1"


def test_cron_pushes_daily_and_purges_only_when_enabled(settings):
    commands = [job[2] for job in settings.CRONJOBS]
    assert ["stats_push"] in commands
    assert ["stats_purge"] not in commands


def test_the_cron_push_job_runs_stats_push(db, settings, capsys):
    settings.REMOTE_STATS_TOKEN = ""
    schedule, function, args = next(j for j in settings.CRONJOBS if j[2] == ["stats_push"])
    module, name = function.rsplit(".", 1)
    getattr(import_module(module), name)(*args)
    assert "not configured" in capsys.readouterr().out
    assert len(schedule.split()) == 5
