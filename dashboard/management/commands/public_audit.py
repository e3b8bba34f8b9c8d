"""Check every public answer against the disclosure rules (dashboard.audit); exit 1 on any
violation, so that cron reports it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dashboard.audit import run_audit


class Command(BaseCommand):
    help = (
        "Enumerate the public answers over the stored data and check each published number and "
        "each difference of nested windows and local_stats_only pairs against the threshold "
        "and dominance rules; print every violation and a summary; exit 1 on any."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = run_audit()
        for violation in report.violations:
            self.stdout.write(f"VIOLATION {violation}")
        if report.violations:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
