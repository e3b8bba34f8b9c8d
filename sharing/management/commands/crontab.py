"""django-crontab's `crontab add|show|remove|run`, failing loudly where cron is not installed
(the original prints nothing and exits 0, so a missing daily push went unnoticed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django_crontab.management.commands.crontab import (  # type: ignore[import-untyped]
    Command as CrontabCommand,
)

from sharing.checks import check_crontab_installed


class Command(CrontabCommand):
    def handle(self, *args: Any, **options: Any) -> None:
        # `run` is what cron itself calls: it needs no crontab program.
        if options["subcommand"] != "run":
            problems = check_crontab_installed()
            if problems:
                raise CommandError(f"{problems[0].msg}\n{problems[0].hint}")
        super().handle(*args, **options)
