"""`cartography`: the risk heat map, counts of risks per (impact, likelihood) cell.

Matrices are PHP integer-keyed arrays, which json_encode writes as a list when the keys are
exactly 0..n-1 and as an object with integer string keys otherwise: both are read.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from stats.kinds.base import COMMON, DemoProfile, FactSink, FactTable, StatsKind
from stats.kinds.checks import (
    INT_MAX,
    MAX_MATRIX_CELLS,
    MAX_SCALE_VALUES,
    Invalid,
    as_list,
    as_object,
    check,
    check_size,
    int_reason,
    number_reason,
)
from stats.models import KINDS, STATES, CartographyDaily, CartographyFact
from stats.processors import cartography as processors

# Up to 10 digits: the value is then checked against the 32-bit fact columns.
_INT_KEY = re.compile(r"^-?\d{1,10}$", re.ASCII)


def _each_keyed(container: Any, where: str, check_value: Callable[[Any, str], Any]) -> None:
    """Check every value of a PHP integer-keyed array."""
    if isinstance(container, list):
        for i, value in enumerate(container):
            check_value(value, f"{where}[{i}]")
    elif isinstance(container, dict):
        for key, value in container.items():
            if not _INT_KEY.match(key):
                raise Invalid(where, f"key {key[:20]!r} is not an integer of at most 10 digits")
            if not -INT_MAX - 1 <= int(key) <= INT_MAX:
                raise Invalid(where, f"key {key!r} is beyond a 32-bit integer")
            check_value(value, f"{where}.{key}")
    else:
        raise Invalid(where, "must be a list or an object")


def _cell(value: Any, where: str) -> None:
    check(int_reason(value), where)


def validate_matrix(matrix: Any, where: str) -> None:
    """impact → (likelihood → count), each level as a list or an integer-keyed object."""
    _each_keyed(matrix, where, lambda row, path: _each_keyed(row, path, _cell))


def _cells(matrix: Any) -> int:
    """How many cells a matrix holds, counted before any is checked (rows of other types count
    one: validate_matrix refuses them)."""
    if not isinstance(matrix, list | dict):
        return 0
    rows = matrix if isinstance(matrix, list) else matrix.values()
    return sum(len(row) if isinstance(row, list | dict) else 1 for row in rows)


def validate(data: Any, where: str) -> None:
    as_object(data, where)
    scales = as_object(data.get("scales"), f"{where}.scales")
    for name in ("impact", "probability", "likelihood"):
        if name in scales:
            values = as_list(scales[name], f"{where}.scales.{name}")
            check_size(values, MAX_SCALE_VALUES, f"{where}.scales.{name}", "values")
            for i, value in enumerate(values):
                check(number_reason(value), f"{where}.scales.{name}[{i}]")
    risks = as_object(data.get("risks"), f"{where}.risks")
    branches = {
        state: as_object(risks.get(state), f"{where}.risks.{state}")
        for state in ("current", "residual")
    }
    cells = sum(_cells(branch.get(kind)) for branch in branches.values() for kind in KINDS)
    if cells > MAX_MATRIX_CELLS:
        raise Invalid(f"{where}.risks", f"has more than {MAX_MATRIX_CELLS} cells")
    for state, branch in branches.items():
        for kind in ("informational", "operational"):
            validate_matrix(branch.get(kind, []), f"{where}.risks.{state}.{kind}")


def _items(level: Any) -> Iterator[tuple[int, Any]]:
    """A PHP array level: a list (keys 0..n-1) or an object with integer string keys."""
    if isinstance(level, list):
        yield from enumerate(level)
    elif isinstance(level, dict):
        for key, value in level.items():
            yield int(key), value


def extract(out: FactSink, common: tuple[Any, ...], client_id: int, data: Any) -> None:
    """One CartographyFact per non-empty cell."""
    rows = out.rows[CartographyFact]
    risks = data.get("risks") or {}
    for state_index, state in enumerate(STATES):
        branch = risks.get(state) or {}
        for kind_index, kind in enumerate(KINDS):
            for impact, row in _items(branch.get(kind) or []):
                for likelihood, count in _items(row):
                    if count:
                        rows.append(
                            (*common, state_index, kind_index, impact, likelihood, int(count))
                        )


def _php_array(cells: dict[int, Any]) -> list[Any] | dict[str, Any]:
    """PHP's json_encode of an int-keyed array: a list when keys are exactly 0..n-1."""
    keys = sorted(cells)
    if keys == list(range(len(keys))):
        return [cells[k] for k in keys]
    return {str(k): cells[k] for k in keys}


def demo(rng: random.Random, profile: DemoProfile, progress: float) -> dict[str, Any]:
    """Sparse matrices, denser for larger analyses; fewer residual than current risks."""
    likelihood = sorted({t * v for t in range(5) for v in range(6)})

    def matrix(x_axis: list[int], density: float) -> list[Any] | dict[str, Any]:
        rows = {}
        for impact in range(5):
            cells = {x: rng.randint(1, 8) for x in x_axis if rng.random() < density}
            if cells:
                rows[impact] = _php_array(cells)
        return _php_array(rows)

    def state(density: float) -> dict[str, Any]:
        return {
            "informational": matrix(likelihood, density * profile.size / 2),
            "operational": matrix(list(range(5)), density),
        }

    return {
        "scales": {
            "impact": list(range(5)),
            "probability": list(range(5)),
            "likelihood": likelihood,
        },
        "risks": {"current": state(0.5), "residual": state(0.35)},
    }


CARTOGRAPHY = StatsKind(
    name="cartography",
    validate=validate,
    extract=extract,
    facts=(
        FactTable(
            model=CartographyFact,
            columns=(*COMMON, "state", "kind", "impact", "likelihood", "count"),
            rollups=(CartographyDaily,),
        ),
    ),
    processors=(processors.cartography_sum, processors.cartography_average),
    public_endpoint="cartography",
    public_processor="cartography_sum",
    demo=demo,
)
