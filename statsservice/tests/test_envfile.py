"""The local configuration file: parsed like a shell would, written once, never winning over the
environment, and no way around an explicit SECRET_KEY in production."""

from __future__ import annotations

import os

from statsservice import env, envfile
from statsservice.testing.live import manage


def test_it_parses_comments_exports_and_quotes():
    text = "# comment\n\nexport DEBUG=1\nA = 'x y'\nB=\"30 2 * * *\"\nnot a line\nC=\n"
    assert envfile.parse(text) == {"DEBUG": "1", "A": "x y", "B": "30 2 * * *", "C": ""}


def test_the_first_run_writes_debug_and_a_secret_key_readable_only_by_its_owner(tmp_path):
    file = tmp_path / ".env"
    assert "Wrote" in envfile.init(file)
    values = envfile.read(file)
    assert values["DEBUG"] == "1"
    assert len(values["SECRET_KEY"]) >= 50
    assert file.stat().st_mode & 0o077 == 0


def test_a_second_run_keeps_the_key(tmp_path):
    file = tmp_path / ".env"
    envfile.init(file)
    key = envfile.read(file)["SECRET_KEY"]
    assert envfile.init(file).startswith("Using")
    assert envfile.read(file)["SECRET_KEY"] == key


def test_an_empty_secret_key_line_is_filled_in(tmp_path):
    file = tmp_path / ".env"
    file.write_text("DEBUG=0\nSECRET_KEY=\nALLOWED_HOSTS=x\n")
    envfile.init(file)
    values = envfile.read(file)
    assert values["SECRET_KEY"] and values["ALLOWED_HOSTS"] == "x" and values["DEBUG"] == "0"


def test_a_second_instance_file_keeps_its_files_beside_it(tmp_path):
    file = tmp_path / "global" / ".env"
    envfile.init(file)
    assert envfile.read(file)["VAR_DIR"] == str(file.parent.resolve())


def test_the_environment_wins_over_the_file(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    monkeypatch.delenv("TIME_ZONE", raising=False)
    try:
        env.use_file({"LOG_LEVEL": "DEBUG", "TIME_ZONE": "Europe/Luxembourg"})
        assert env.env_str("LOG_LEVEL") == "ERROR"
        assert env.env_str("TIME_ZONE", "UTC") == "Europe/Luxembourg"
    finally:
        env.use_file({})


def test_env_file_names_the_file_and_empty_means_none(monkeypatch, tmp_path):
    monkeypatch.setenv("ENV_FILE", str(tmp_path / "x.env"))
    assert envfile.path() == tmp_path / "x.env"
    monkeypatch.setenv("ENV_FILE", "")
    assert envfile.path() is None
    monkeypatch.delenv("ENV_FILE")
    assert envfile.path() == envfile.DEFAULT_PATH


def plain_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(envfile.ROOT)), **extra}


def test_manage_py_runs_in_a_plain_shell_with_the_file(tmp_path):
    file = tmp_path / ".env"
    envfile.init(file)
    result = manage(plain_env(ENV_FILE=str(file)), "check", check=False, timeout=120)
    assert result.returncode == 0, result.stderr


def test_production_still_refuses_to_start_without_a_key_in_the_file(tmp_path):
    file = tmp_path / ".env"
    file.write_text("DEBUG=0\nALLOWED_HOSTS=stats.example.org\n")
    result = manage(plain_env(ENV_FILE=str(file)), "check", check=False, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert str(file) in result.stderr
