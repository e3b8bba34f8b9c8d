"""What is rising: the threats and vulnerabilities whose average moved most between the last two
complete periods (quarters by default).

Read from the very answers /stats/threats.json and /stats/vulnerabilities.json give for the
same period (dashboard.public.compute, through its cache), so every disclosure rule applied to
those files applies here too: an object or a point they withhold can not rise or fall here.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from dashboard import public
from stats import kinds

PERIODS = ("week", "month", "quarter")
DEFAULT_PERIOD = "quarter"
# Objects listed in each direction.
TOP = 5
MEASURE = "averageRate"


def period_start(day: date, period: str) -> date:
    """The first day of the period holding `day` (weeks start on Monday, as the buckets do)."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def previous_start(start: date, period: str) -> date:
    """The first day of the period before the one starting on `start`."""
    return period_start(start - timedelta(days=1), period)


def complete_periods(today: date, period: str) -> tuple[date, date, date]:
    """(first day of the one before last, first day of the last, first day of the current)
    complete periods: the current one is partial, so it is never compared."""
    current = period_start(today, period)
    last = previous_start(current, period)
    return previous_start(last, period), last, current


def _value(points: dict[str, Any], day: date) -> float | None:
    point = points.get(day.isoformat())
    if not isinstance(point, dict):
        return None
    try:
        return float(point[MEASURE])
    except (KeyError, TypeError, ValueError):
        return None  # withheld or missing


def _moves(rows: Any, before: date, after: date) -> dict[str, list[dict[str, Any]]]:
    moved: list[tuple[float, str, dict[str, Any]]] = []
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or not isinstance(row.get("values"), list):
            continue
        points = {str(p.get("date")): p for p in row["values"] if isinstance(p, dict)}
        old, new = _value(points, before), _value(points, after)
        if old is None or new is None:
            continue
        change = round(new - old, 4)
        if change:
            entry = {
                "object": row.get("object"),
                "labels": row.get("labels") or {},
                "before": round(old, 4),
                "after": round(new, 4),
                "change": change,
            }
            moved.append((change, str(row.get("object")), entry))
    # Largest moves first; ties in object order, so the answer is stable.
    up = sorted((m for m in moved if m[0] > 0), key=lambda m: (-m[0], m[1]))
    down = sorted((m for m in moved if m[0] < 0), key=lambda m: (m[0], m[1]))
    return {"up": [m[2] for m in up[:TOP]], "down": [m[2] for m in down[:TOP]]}


def _public_rows(kind: kinds.StatsKind, period: str, days: int) -> Any:
    assert kind.public_endpoint and kind.public_processor
    query = public.PublicQuery(
        endpoint=kind.public_endpoint,
        stats_type=kind.name,
        processor=kind.public_processor,
        # A public window, as every public answer (dashboard.public): no other window is read.
        days=public.public_window(min(days, public.windows()[-1])),
        last_stats=False,
        local_only=False,
        period=period,
    )
    return json.loads(public.cached_json(query.cache_part(), lambda: public.compute(query)))


def rising(period: str = DEFAULT_PERIOD) -> dict[str, Any]:
    """{"period", "measure", "before", "after", "until", and per public endpoint of a per-object
    kind ("threats", "vulnerabilities"): {"up": [...], "down": [...]}}."""
    if period not in PERIODS:
        raise public.BadQuery(f"'period' must be one of {', '.join(PERIODS)}.")
    # Public windows end on the last complete day: the period holding the day after it is the
    # first that may be partial, and the window read reaches back to the start of `before`.
    end = public.last_complete_day()
    before, after, current = complete_periods(end + timedelta(days=1), period)
    days = (end - before).days + 1
    result: dict[str, Any] = {
        "period": period,
        "measure": MEASURE,
        "before": before.isoformat(),
        "after": after.isoformat(),
        "until": (current - timedelta(days=1)).isoformat(),
    }
    for kind in kinds.all_kinds():
        if kind.per_object and kind.public_endpoint and kind.public_processor:
            rows = _public_rows(kind, period, days)
            result[kind.public_endpoint] = _moves(rows, before, after)
    return result
