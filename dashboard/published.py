"""Public answers built from published cells only (dashboard.disclosure), in the shapes of the
processors they stand for (stats.processors: same keys, same order, same rounding of means).

Each builder takes the published cells (item columns..., day) -> [n_1, sum_1, ...] and sums
them per item, per period bucket and over the window; nothing else enters a figure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from dashboard.disclosure import CellTable, known_items
from stats.models import KINDS, STATES
from stats.processors import ProcessorError

Cells = dict[tuple[Any, ...], list[float]]
Labels = dict[tuple[str, str], dict[str, str]]
EMPTY_LABELS = {"label1": "", "label2": "", "label3": "", "label4": ""}
SCALE = 10**4
NANO = 10**9


def bucket_of(day: date, period: str) -> date:
    """The first day of `day`'s period (weeks start on Monday), as the processors bucket."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return day


def _mean(total: float, n: float) -> float | None:
    return None if not n else round(total / n, 4)


def _add(into: list[float], vector: list[float]) -> None:
    for index, value in enumerate(vector):
        into[index] += value


def _sum_by(cells: Cells, key: Callable[[tuple[Any, ...]], Any]) -> dict[Any, list[float]]:
    out: dict[Any, list[float]] = {}
    for cell, vector in cells.items():
        group = key(cell)
        have = out.get(group)
        if have is None:
            out[group] = list(vector)
        else:
            _add(have, vector)
    return out


# --- threat and vulnerability ----------------------------------------------------------------


def _object_means(v: list[float]) -> dict[str, float]:
    n = v[0]
    return {
        "count": round(v[1] * SCALE / n) / SCALE,
        "maxRisk": round(v[3] * SCALE / n) / SCALE,
        "averageRate": round(float(round(v[5] * NANO)) * SCALE / NANO / n) / SCALE,
    }


def objects(cells: Cells, period: str, labels: Labels, kind: str) -> list[dict[str, Any]]:
    """threat_average_on_date / vulnerability_average_on_date."""
    points = _sum_by(cells, lambda c: (c[0], bucket_of(c[-1], period)))
    overall = _sum_by(cells, lambda c: c[0])
    series: dict[Any, list[dict[str, Any]]] = {}
    for (obj, day), vector in sorted(points.items(), key=lambda p: p[0][1]):
        series.setdefault(obj, []).append({**_object_means(vector), "date": day.isoformat()})
    return [
        {
            "object": str(obj),
            "labels": labels.get((kind, str(obj)), EMPTY_LABELS),
            "values": series[obj],
            "averages": _object_means(overall[obj]),
        }
        for obj in sorted(overall, key=str)
    ]


# --- risk ------------------------------------------------------------------------------------


def _risk_order(table: CellTable, keys: Any) -> list[tuple[int, int, str]]:
    return sorted(keys, key=lambda k: (k[0], k[1], table.extra.get(k, (0,))[0], k[2]))


def _nest(entries: list[tuple[tuple[int, int, str], Any]]) -> dict[str, Any]:
    data: dict[str, dict[str, dict[str, Any]]] = {}
    for (state, kind, level), value in entries:
        data.setdefault(STATES[state], {}).setdefault(KINDS[kind], {})[level] = value
    return data


def risk_averages(cells: Cells, table: CellTable) -> dict[str, Any]:
    """Per level: the mean value; a level whose every cell is withheld is null ({} when
    nothing at all is published)."""
    overall = _sum_by(cells, lambda c: c[:3])
    if not overall:
        return {}
    items = known_items(table) | set(overall)
    entries = [(k, _mean(overall[k][1], overall[k][0]) if k in overall else None) for k in items]
    order = _risk_order(table, items)
    return _nest(sorted(entries, key=lambda e: order.index(e[0])))


def risk_averages_on_date(cells: Cells, table: CellTable, period: str) -> dict[str, Any]:
    points = _sum_by(cells, lambda c: (*c[:3], bucket_of(c[-1], period)))
    series: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
    for key, vector in sorted(points.items(), key=lambda p: p[0][3]):
        series.setdefault(key[:3], []).append(
            {"date": key[3].isoformat(), "value": _mean(vector[1], vector[0])}
        )
    return _nest([(k, series[k]) for k in _risk_order(table, series)]) if series else {}


# --- cartography -----------------------------------------------------------------------------


def cartography(
    cells: Cells, table: CellTable, records: Cells | None
) -> dict[str, Any] | list[Any]:
    """cartography_sum (records None) or cartography_average: sums over the published records
    (dashboard.disclosure.record_table), only on days whose record count is published too. A
    heat-map cell whose every cell is withheld is null, never zero."""
    count = 0.0
    if records is not None:
        days = {key[-1] for key in records}
        cells = {key: value for key, value in cells.items() if key[-1] in days}
        count = sum(vector[1] for vector in records.values())
    sums = _sum_by(cells, lambda c: c[:4])
    if not sums:
        return []
    data: dict[str, dict[str, dict[str, dict[str, Any]]]] = {
        state: {kind: {} for kind in KINDS} for state in STATES
    }
    for key in sorted(known_items(table) | set(sums)):
        state, kind, impact, likelihood = key
        vector = sums.get(key)
        value: Any = None
        if vector is not None:
            value = int(vector[1]) if records is None else _mean(vector[1], count)
        matrix = data[STATES[state]][KINDS[kind]]
        matrix.setdefault(str(impact), {})[str(likelihood)] = value
    return data


# --- compliance ------------------------------------------------------------------------------


def _category_key(referential: Any, position: int) -> tuple[str, str]:
    # As stats.kinds keys category labels: uuid5(referential, position).
    return ("category", str(uuid.uuid5(uuid.UUID(str(referential)), str(position))))


def _skeleton(keys: list[tuple[Any, int]], labels: Labels) -> tuple[list[Any], dict[Any, Any]]:
    result: list[dict[str, Any]] = []
    refs: dict[Any, dict[str, Any]] = {}
    categories: dict[tuple[Any, int], dict[str, Any]] = {}
    for referential, position in keys:
        if referential not in refs:
            refs[referential] = {
                "referential": str(referential),
                "labels": labels.get(("referential", str(referential)), EMPTY_LABELS),
                "categories": [],
            }
            result.append(refs[referential])
        category = {"labels": labels.get(_category_key(referential, position), EMPTY_LABELS)}
        refs[referential]["categories"].append(category)
        categories[(referential, position)] = category
    return result, categories


def _levels(vector: list[float]) -> dict[str, float | None]:
    return {"current": _mean(vector[1], vector[0]), "target": _mean(vector[3], vector[2])}


def compliance_averages(
    cells: Cells, controls: Cells, control_table: CellTable, labels: Labels
) -> list[Any]:
    overall = _sum_by(cells, lambda c: c[:2])
    keys = sorted(overall, key=lambda k: (str(k[0]), k[1]))
    result, categories = _skeleton(keys, labels)
    for key in keys:
        categories[key].update(_levels(overall[key]), controls=[])
    per_control = _sum_by(controls, lambda c: c[:3])
    ordered = sorted(
        per_control,
        key=lambda k: (str(k[0]), k[1], control_table.extra.get(k, ("",))[0], str(k[2])),
    )
    for key in ordered:
        category = categories.get(key[:2])
        if category is not None:
            category["controls"].append(
                {
                    "code": control_table.extra.get(key, ("",))[0],
                    "measure": str(key[2]),
                    **_levels(per_control[key]),
                }
            )
    return result


def compliance_average_on_date(cells: Cells, period: str, labels: Labels) -> list[Any]:
    overall = _sum_by(cells, lambda c: c[:2])
    keys = sorted(overall, key=lambda k: (str(k[0]), k[1]))
    result, categories = _skeleton(keys, labels)
    for key in keys:
        categories[key]["values"] = []
    points = _sum_by(cells, lambda c: (*c[:2], bucket_of(c[-1], period)))
    for key, vector in sorted(points.items(), key=lambda p: p[0][2]):
        categories[key[:2]]["values"].append({"date": key[2].isoformat(), **_levels(vector)})
    for key in keys:
        categories[key]["averages"] = _levels(overall[key])
    return result


# --- Dispatch --------------------------------------------------------------------------------

CellSource = Callable[[str], tuple[CellTable, Cells]]
LabelSource = Callable[[tuple[str, ...]], Labels]


def build(
    processor: str, stats_type: str, *, period: str, cells: CellSource, labels: LabelSource
) -> Any:
    """The answer of public `processor` (of `stats_type`) from published cells: `cells(name)`
    gives a cell table (dashboard.disclosure.SPECS, or "records") and its published cells."""
    table, published = cells(stats_type)
    if processor in ("threat_average_on_date", "vulnerability_average_on_date"):
        return objects(published, period, labels((stats_type,)), stats_type)
    if processor == "risk_averages":
        return risk_averages(published, table)
    if processor == "risk_averages_on_date":
        return risk_averages_on_date(published, table, period)
    if processor in ("cartography_sum", "cartography_average"):
        records = cells("records")[1] if processor == "cartography_average" else None
        return cartography(published, table, records)
    if processor == "compliance_averages":
        controls, control_cells = cells("control")
        names = labels(("referential", "category"))
        return compliance_averages(published, control_cells, controls, names)
    if processor == "compliance_average_on_date":
        return compliance_average_on_date(published, period, labels(("referential", "category")))
    # A processor of a kind registered later needs its cells and builder here first.
    raise ProcessorError(f"Processor '{processor}' has no public answer.")
