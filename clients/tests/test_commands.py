"""The client management commands (names as in the original service)."""

import io
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from clients.models import Client
from clients.tokens import hash_token
from stats.models import Stats


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_client_create_prints_the_token_once_and_stores_its_hash():
    output = run("client_create", "--name", "FO 1")
    token = next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("token"))
    client = Client.objects.get(name="FO 1")
    assert client.token_hash == hash_token(token)
    assert client.role == "user"
    assert client.local is True
    assert output.strip().endswith("the token is not shown again.")


@pytest.mark.django_db
def test_client_create_accepts_a_given_token_uuid_and_admin_role():
    given = uuid.uuid4()
    run(
        "client_create",
        "--name",
        "ops",
        "--role",
        "admin",
        "--token",
        "a" * 40,
        "--uuid",
        str(given),
    )
    client = Client.objects.get(uuid=given)
    assert client.is_admin
    assert client.token_hash == hash_token("a" * 40)


@pytest.mark.django_db
def test_client_create_remote_marks_the_client_non_local():
    run("client_create", "--name", "national", "--remote")
    assert Client.objects.get(name="national").local is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "superuser"], "Unknown role"),
        (["--role", "Admin"], "Unknown role"),
        (["--token", "short"], "at least"),
        (["--uuid", "nope"], "not a valid UUID"),
    ],
)
def test_client_create_refuses_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        run("client_create", "--name", "x", *args)
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_client_create_refuses_a_duplicate_name(make_client):
    make_client("taken")
    with pytest.raises(CommandError, match="already exists"):
        run("client_create", "--name", "taken")


def test_client_list_never_prints_tokens(make_client):
    client, token = make_client("listed")
    output = run("client_list")
    assert str(client.uuid) in output
    assert token not in output
    assert client.token_hash not in output
    assert output.strip().endswith("1 client(s).")


def test_client_delete_removes_the_client_and_its_stats(make_client, store_days):
    client, _ = make_client("gone")
    store_days(client, ["2026-01-05"])
    output = run("client_delete", "--uuid", str(client.uuid), "-y")
    assert "5 stats record(s)" in output
    assert not Client.objects.filter(pk=client.pk).exists()
    assert not Stats.objects.exists()


def test_client_delete_asks_for_confirmation(make_client, monkeypatch):
    client, _ = make_client("kept")
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Aborted"):
        run("client_delete", "--uuid", str(client.uuid))
    assert Client.objects.filter(pk=client.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command",
    [
        "client_delete",
        "client_sharing_activate",
        "client_sharing_deactivate",
        "client_coordinates_unset",
        "client_rotate_token",
    ],
)
def test_commands_refuse_an_unknown_or_malformed_uuid(command):
    with pytest.raises(CommandError, match="No client with uuid"):
        run(command, "--uuid", str(uuid.uuid4()), *(["-y"] if command == "client_delete" else []))
    with pytest.raises(CommandError, match="not a valid UUID"):
        run(command, "--uuid", "123")


def test_sharing_can_be_deactivated_and_activated(make_client):
    client, _ = make_client("sharer")
    assert "disabled" in run("client_sharing_deactivate", "--uuid", str(client.uuid))
    client.refresh_from_db()
    assert client.is_sharing_enabled is False
    assert "enabled" in run("client_sharing_activate", "--uuid", str(client.uuid))
    client.refresh_from_db()
    assert client.is_sharing_enabled is True


def test_coordinates_are_set_range_checked_and_unset(make_client):
    client, _ = make_client("placed")
    run(
        "client_coordinates_set",
        "--uuid",
        str(client.uuid),
        "--latitude",
        "49.61",
        "--longitude",
        "6.13",
    )
    client.refresh_from_db()
    assert (client.latitude, client.longitude) == (49.61, 6.13)
    with pytest.raises(CommandError, match="latitude"):
        run(
            "client_coordinates_set",
            "--uuid",
            str(client.uuid),
            "--latitude",
            "91",
            "--longitude",
            "0",
        )
    run("client_coordinates_unset", "--uuid", str(client.uuid))
    client.refresh_from_db()
    assert client.latitude is None and client.longitude is None


def test_rotate_token_prints_a_new_token_and_revokes_the_old(make_client):
    client, old = make_client("rotated")
    output = run("client_rotate_token", "--uuid", str(client.uuid))
    new = output.splitlines()[0].split(": ", 1)[1]
    client.refresh_from_db()
    assert client.token_hash == hash_token(new)
    assert Client.objects.by_token(old) is None


def test_set_active_revokes_and_restores_access(make_client):
    client, _ = make_client("revoked")
    run("client_set_active", "--uuid", str(client.uuid), "--inactive")
    client.refresh_from_db()
    assert client.is_active is False
    run("client_set_active", "--uuid", str(client.uuid), "--active")
    client.refresh_from_db()
    assert client.is_active is True


@pytest.mark.django_db
def test_bootstrap_creates_an_admin_client_and_superuser_only_once():
    first = run("bootstrap_dev")
    assert "X-API-KEY" in first and "superuser" in first
    assert Client.objects.filter(role="admin").count() == 1
    second = run("bootstrap_dev")
    assert "nothing created" in second
    assert "X-API-KEY" not in second


def test_client_is_sharing_enabled_lists_only_local_active_sharing_clients(make_client):
    make_client("shares")
    make_client("opted-out", is_sharing_enabled=False)
    make_client("remote", local=False)
    inactive, _ = make_client("inactive")
    inactive.is_active = False
    inactive.save()
    output = run("client_is_sharing_enabled")
    assert "shares" in output
    assert not any(name in output for name in ("opted-out", "remote", "inactive  "))
    assert output.strip().endswith("1 local client(s) share their stats.")
