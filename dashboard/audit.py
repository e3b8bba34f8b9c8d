"""`public_audit`: proves, over the stored data, that the public answers follow the rules.

It enumerates every public answer (each endpoint, processor, public window, `last_stats`,
`local_stats_only` and period) and checks:

1. each answer as served (read from the rollups) against the same answer rebuilt from a second
   reading of the data (the fact rows) with only the cells that pass the rules: a number that
   differs, or one that has no published cell behind it, took in withheld contributions;
2. the rules (threshold, dominance) on every published cell, and on the contributions behind
   each published figure and behind each difference between two answers: per item, every
   public window and the ring of days between two nested windows; every period bucket; and
   the remote part that separates an answer from its `local_stats_only` twin;
3. on the map, that each area has enough contributors and that positions are rounded.

Every failure is a violation; the operator runs it from cron (exit status 1 on any).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.http import QueryDict

from dashboard import disclosure, public
from dashboard.disclosure import Contributors, Parts, Vector, by_contributor, passes
from dashboard.published import bucket_of
from stats import kinds
from stats.processors import PERIODS, PROCESSORS

# Two readings of the same data agree to the 4 decimals of the answers, bar float rounding.
TOLERANCE = 2e-4
Answer = Callable[[public.PublicQuery, Contributors, public.Workspace], Any]


@dataclass
class Report:
    answers: int = 0
    numbers: int = 0  # numbers compared one by one (in answers that differ from the rebuild)
    cells: int = 0
    aggregates: int = 0
    contributors: int = 0
    merged: list[list[str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        merged = "; ".join(" = ".join(group) for group in self.merged) or "none"
        return (
            f"public_audit: {self.answers} answers, {self.cells} cells "
            f"and {self.aggregates} aggregates checked over {self.contributors} contributors "
            f"(counted as one: {merged}); {len(self.violations)} violation(s) "
            f"in {self.seconds:.1f} s."
        )


def _windows(earliest: date | None) -> list[int]:
    """The public windows that can differ: those reaching before the earliest stored day all
    give the answer of the first of them (answers are built from the days in the window)."""
    out = []
    for days in public.windows():
        out.append(days)
        if earliest is None or public.window_start(days) <= earliest:
            break
    return out


def queries(earliest: date | None = None) -> Iterator[public.PublicQuery]:
    """Every public answer: endpoint x processor x window x last_stats x local x period.

    `period=day` is left out: it is the default of the periods' processors (the same answer)."""
    for kind in kinds.all_kinds():
        if not kind.public_endpoint or kind.public_processor is None:
            continue
        for name, info in PROCESSORS.items():
            if info.type != kind.name:
                continue
            periods = [None, *PERIODS[1:]] if "period" in info.params else [None]
            for days in _windows(earliest):
                for last in ("0", "1"):
                    for local in ("0", "1"):
                        for period in periods:
                            params = QueryDict(mutable=True)
                            params.update(
                                {"processor": name, "days": str(days), "last_stats": last}
                            )
                            params["local_stats_only"] = local
                            if period:
                                params["period"] = period
                            yield public.parse_query(kind.public_endpoint, params)


# --- 1. Answers against published cells --------------------------------------------------------

_KEYS = ("object", "referential", "measure", "date")


def numbers(data: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every number or null in an answer; list items by their identity."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in ("labels", "date", "object", "referential", "measure", "code"):
                yield from numbers(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            name = str(index)
            if isinstance(value, dict):
                name = next((str(value[k]) for k in _KEYS if k in value), name)
            yield from numbers(value, f"{path}[{name}]")
    elif data is None or (isinstance(data, int | float) and not isinstance(data, bool)):
        yield path, data


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(abs(float(a) - float(b)) <= TOLERANCE * max(1.0, abs(float(b))))


def check_answers(
    report: Report, who: Contributors, served: Answer, second: public.Workspace
) -> None:
    reading = public.Workspace(who=who)
    for query in queries(_earliest(second)):
        report.answers += 1
        label = query.cache_part()
        rebuilt = public.answer(query, who, second)
        answer = served(query, who, reading)
        if answer == rebuilt:
            continue  # the common case, compared at C speed
        expected = dict(numbers(rebuilt))
        for path, value in numbers(answer):
            report.numbers += 1
            if path not in expected:
                report.violations.append(f"{label} {path}={value}: no published cell behind it")
            elif not _same(value, expected[path]):
                report.violations.append(
                    f"{label} {path}={value}: published cells give {expected[path]}"
                )


# --- 2. The rules on cells, figures and differences ---------------------------------------------


def _add(into: dict[Any, dict[int, Vector]], key: Any, parts: dict[int, Vector]) -> None:
    have = into.setdefault(key, {})
    for who, vector in parts.items():
        old = have.get(who)
        have[who] = (
            list(vector) if old is None else [a + b for a, b in zip(old, vector, strict=True)]
        )


def _ring(day: date, end: date, windows: list[int]) -> int | None:
    ago = (end - day).days
    return next((index for index, w in enumerate(windows) if ago < w), None)


def _remote_part(parts: Parts, chosen: dict[int, Vector]) -> dict[int, Vector]:
    """What the answer over all clients adds to the local-only one for this cell."""
    local = by_contributor(parts, True)
    local_shown = local if local and passes(local) else {}
    out: dict[int, Vector] = {}
    for who, vector in chosen.items():
        base = local_shown.get(who)
        diff = vector if base is None else [a - b for a, b in zip(vector, base, strict=True)]
        if any(diff):
            out[who] = diff
    return out


def _figures(table: disclosure.CellTable, local_only: bool, report: Report, where: str) -> Any:
    """Per-contributor sums behind each figure and difference the answers over `table` make."""
    end = public.last_complete_day()
    windows = public.windows()
    sums: dict[Any, dict[int, Vector]] = {}
    for key, parts in table.cells.items():
        chosen = disclosure.published_parts(parts, local_only)
        if chosen is None:
            continue
        report.cells += 1
        if not passes(chosen):
            report.violations.append(f"{where} cell {key}: fails the rules")
        item, day = key[:-1], key[-1]
        ring = _ring(day, end, windows)
        if ring is not None:
            _add(sums, ("ring", windows[ring], item), chosen)
        for period in PERIODS[1:]:
            _add(sums, (period, bucket_of(day, period), item), chosen)
        if not local_only and (remote := _remote_part(parts, chosen)):
            _add(sums, ("remote", day, item), remote)
    # A window is its rings so far; two nested windows differ by the rings between them.
    rings = sorted((key for key in sums if key[0] == "ring"), key=lambda k: k[1])
    for _, days, item in rings:
        for longer in windows[windows.index(days) :]:
            _add(sums, ("window", longer, item), sums[("ring", days, item)])
    return sums


def _earliest(space: public.Workspace) -> date | None:
    days = [key[-1] for name in disclosure.SPECS for key in space.table(name, False).cells]
    return min(days, default=None)


def check_rules(report: Report, space: public.Workspace) -> None:
    for name in [*disclosure.SPECS, "records"]:
        for latest in (False, True):
            table = space.table(name, latest)
            for local_only in (False, True):
                where = f"{name} latest={int(latest)} local_stats_only={int(local_only)}"
                for key, parts in _figures(table, local_only, report, where).items():
                    report.aggregates += 1
                    if not passes(parts):
                        report.violations.append(f"{where} {key}: fails the rules")


# --- 3. The map ---------------------------------------------------------------------------------


def check_map(report: Report, who: Contributors) -> None:
    minimum = settings.PUBLIC_MIN_CONTRIBUTORS
    areas: dict[tuple[float, float], set[int]] = {}
    placed = disclosure.public_clients().values_list("pk", "latitude", "longitude")
    for pk, lat, lon in placed:
        if lat is not None and lon is not None:
            at = (round(lat, public.MAP_DECIMALS), round(lon, public.MAP_DECIMALS))
            areas.setdefault(at, set()).add(who.of_client[pk])
    for entry in public.map_clients():
        report.answers += 1
        at = (entry["latitude"], entry["longitude"])
        if any(round(value, public.MAP_DECIMALS) != value for value in at):
            report.violations.append(f"map {at}: position not rounded")
        here = areas.get(at, set())
        if len(here) < minimum:
            report.violations.append(f"map {at}: {len(here)} contributor(s) in the area")


def run_audit(*, served: Answer | None = None) -> Report:
    """Check every public answer over the stored data; `served` stands for the endpoints."""
    started = time.monotonic()
    who = disclosure.contributors()
    report = Report(contributors=who.count())
    report.merged = [[who.names[pk] for pk in group] for group in who.merged]
    second = public.Workspace(who=who, facts=True)
    check_answers(report, who, served or public.answer, second)
    check_rules(report, second)
    check_map(report, who)
    report.seconds = time.monotonic() - started
    return report
