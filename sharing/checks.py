"""System check: the cron jobs (CRONJOBS) need a `crontab` program to be installed."""

from __future__ import annotations

import shutil
from typing import Any

from django.conf import settings
from django.core import checks

CRON_TAG = "cron"
DEFAULT_CRONTAB = "crontab"


def crontab_program() -> str | None:
    """The crontab executable django-crontab would run, if it is installed."""
    return shutil.which(getattr(settings, "CRONTAB_EXECUTABLE", DEFAULT_CRONTAB))


@checks.register(CRON_TAG, deploy=True)
def check_crontab_installed(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Informational in `check --deploy` (systemd timers are an alternative to cron); the
    `crontab` command turns it into an error."""
    if not settings.CRONJOBS or crontab_program() is not None:
        return []
    program = getattr(settings, "CRONTAB_EXECUTABLE", DEFAULT_CRONTAB)
    return [
        checks.Info(
            f"{program} is not installed: `manage.py crontab add` cannot install the "
            f"{len(settings.CRONJOBS)} cron job(s) (stats_push every day).",
            hint="Install cron (Debian: apt-get install cron), or use the systemd timers in "
            "contrib/ (README, section Cron).",
            id="sharing.I001",
        )
    ]
