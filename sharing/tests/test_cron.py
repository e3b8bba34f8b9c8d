"""`crontab add|show` fail loudly without a crontab program; the system check says so, and the
systemd timers offered instead are well formed."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sharing.checks import check_crontab_installed

CONTRIB = Path(__file__).resolve().parents[2] / "contrib"


def fake_crontab(tmp_path: Path) -> Path:
    """A crontab program keeping the table in a file: `-l` prints it, `crontab FILE` sets it."""
    table = tmp_path / "table"
    program = tmp_path / "crontab"
    program.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "-l" ]; then cat "{table}" 2>/dev/null; exit 0; fi\n'
        f'cp "$1" "{table}"\n'
    )
    program.chmod(0o755)
    return program


@pytest.mark.parametrize("subcommand", ["add", "show", "remove"])
def test_crontab_explains_a_missing_crontab_program(settings, tmp_path, subcommand):
    settings.CRONTAB_EXECUTABLE = str(tmp_path / "no-such-crontab")
    with pytest.raises(CommandError, match="is not installed") as raised:
        call_command("crontab", subcommand)
    assert "systemd timers in contrib/" in str(raised.value)


def test_the_system_check_reports_it_and_is_quiet_when_cron_is_there(settings, tmp_path):
    settings.CRONTAB_EXECUTABLE = str(tmp_path / "no-such-crontab")
    assert [message.id for message in check_crontab_installed()] == ["sharing.I001"]
    settings.CRONTAB_EXECUTABLE = str(fake_crontab(tmp_path))
    assert check_crontab_installed() == []
    settings.CRONTAB_EXECUTABLE = str(tmp_path / "no-such-crontab")
    settings.CRONJOBS = []
    assert check_crontab_installed() == []


def test_crontab_add_and_show_work_with_cron_installed(settings, tmp_path, capsys):
    settings.CRONTAB_EXECUTABLE = str(fake_crontab(tmp_path))
    call_command("crontab", "add")
    table = (tmp_path / "table").read_text()
    assert "crontab run" in table
    assert table.startswith(settings.SHARING_PUSH_SCHEDULE)
    call_command("crontab", "show")
    assert "stats_push" in capsys.readouterr().out


@pytest.mark.parametrize("job", ["push", "purge"])
def test_each_systemd_timer_starts_its_oneshot_service(job):
    timer = configparser.ConfigParser(strict=False)
    timer.read(CONTRIB / f"statsservice-{job}.timer")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Timer"]["Persistent"] == "true"
    service = configparser.ConfigParser(strict=False, interpolation=None)
    service.read(CONTRIB / f"statsservice-{job}.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith(f"manage.py stats_{job}")
