"""Option parsing and progress output shared by the sharing commands."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import CommandError, CommandParser, OutputWrapper

from clients.management.commands._base import client_by_uuid
from stats import kinds

__all__ = ["Throttle", "client_by_uuid", "date_window", "parse_types"]


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date as YYYY-MM-DD, got {value!r}.") from None


def date_window(options: dict) -> tuple[date | None, date | None]:
    date_from = parse_day(options.get("date_from"), "--date-from")
    date_to = parse_day(options.get("date_to"), "--date-to")
    if date_from and date_to and date_from > date_to:
        raise CommandError("--date-from must not be after --date-to.")
    return date_from, date_to


def parse_types(value: str | None) -> list[str]:
    """`--type`: one stats type, or all of them when not given."""
    if not value:
        return list(kinds.names())
    if value not in kinds.names():
        raise CommandError(f"unknown type {value!r}: use one of {', '.join(kinds.names())}.")
    return [value]


def add_window_arguments(parser: CommandParser) -> None:
    parser.add_argument("--date-from", help="first record date, YYYY-MM-DD (inclusive)")
    parser.add_argument("--date-to", help="last record date, YYYY-MM-DD (inclusive)")


class Throttle:
    """Progress lines at most every `seconds` (every call with verbosity >= 2)."""

    def __init__(self, out: OutputWrapper, verbosity: int, seconds: float = 5.0) -> None:
        self.out = out
        self.verbosity = verbosity
        self.seconds = seconds
        self.last = time.monotonic()

    def __call__(self, line: str) -> None:
        now = time.monotonic()
        if self.verbosity >= 2 or (self.verbosity >= 1 and now - self.last >= self.seconds):
            self.out.write(line)
            self.last = now
