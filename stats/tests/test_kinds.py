"""The registry of stats types (stats.kinds): the one place that lists them."""

from __future__ import annotations

import ast
import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Model
from django.http import QueryDict

from dashboard.public import endpoint_defaults, parse_query
from stats import demo, kinds
from stats.kinds.base import COMMON, DemoProfile, FactSink, StatsKind
from stats.kinds.checks import Invalid, check, int_reason
from stats.models import FACT_MODELS, ROLLUPS, TOTALS, RiskFact, Stats
from stats.normalise import FactBuilder
from stats.processors import PROCESSORS, Scope, processors_for, run_processor
from stats.processors.base import processor
from stats.validation import BatchInvalid, validate_batch

DAY = date(2026, 11, 1)
ANR = "8a1f6d3e-52b1-4c38-9a77-2f0a1f5b6c11"


@processor("sixth_total", "sixth")
def sixth_total(scope: Scope, params: dict[str, Any]) -> Any:
    """The throwaway kind's only processor."""
    return {"total": 0}


def _validate(data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise Invalid(where, "must be an object")
    check(int_reason(data.get("n")), f"{where}.n")


def _extract(out: FactSink, common: tuple[Any, ...], client_id: int, data: Any) -> None:
    extracted.append((common, client_id, data))


def _demo(rng: random.Random, profile: DemoProfile, progress: float) -> Any:
    return {"n": rng.randint(0, 9)}


extracted: list[tuple[tuple[Any, ...], int, Any]] = []


@pytest.fixture
def sixth() -> Iterator[StatsKind]:
    """A sixth kind, registered for one test only: one module's worth of definitions."""
    kind = StatsKind(
        name="sixth",
        validate=_validate,
        extract=_extract,
        facts=(),
        processors=(sixth_total,),
        public_endpoint="sixths",
        public_processor="sixth_total",
        demo=_demo,
    )
    kinds.register(kind)
    extracted.clear()
    yield kind
    kinds.unregister("sixth")


BUILT_IN = ("risk", "threat", "vulnerability", "cartography", "compliance")


def test_the_registry_lists_the_built_in_types_in_their_order():
    assert kinds.names() == BUILT_IN
    assert [kind.name for kind in kinds.all_kinds()] == list(BUILT_IN)
    assert kinds.choices() == [(name, name) for name in BUILT_IN]


def test_the_stats_model_lists_no_types_of_its_own():
    assert not Stats._meta.get_field("type").choices


def test_the_kinds_fill_every_fact_table_between_them():
    assert {m for kind in kinds.all_kinds() for m in kind.fact_models} == set(FACT_MODELS)


@pytest.mark.parametrize("name", BUILT_IN)
def test_each_kind_names_the_fact_and_rollup_tables_its_type_fills(name):
    kind = kinds.get(name)
    expected: list[type[Model]] = [ROLLUPS[fact][0] for fact in kind.fact_models]
    expected += [TOTALS[fact] for fact in kind.fact_models if fact in TOTALS]
    assert set(kind.rollup_models) == set(expected)
    for table in kind.facts:
        assert table.columns[: len(COMMON)] == COMMON
        fields = {f.name for f in table.model._meta.get_fields()}
        assert {c.removesuffix("_id") for c in table.columns} <= fields


def test_validation_accepts_the_records_of_a_registered_kind(sixth):
    [record] = validate_batch(
        [{"anr": ANR, "type": "sixth", "date": str(DAY), "data": {"n": 3}}], max_records=10
    )
    assert (record.type, record.data) == ("sixth", {"n": 3})


def test_validation_checks_a_registered_kinds_payload_with_its_own_walker(sixth):
    with pytest.raises(BatchInvalid) as caught:
        validate_batch(
            [{"anr": ANR, "type": "sixth", "date": str(DAY), "data": {"n": -1}}], max_records=10
        )
    assert str(caught.value) == "Item 0: data.n: must be at least 0"


def test_the_unknown_type_message_lists_every_registered_kind(sixth):
    with pytest.raises(BatchInvalid) as caught:
        validate_batch([{"anr": ANR, "type": "x", "date": str(DAY), "data": {}}], max_records=1)
    assert str(caught.value) == (
        "Item 0: type: must be one of risk, threat, vulnerability, cartography, compliance, sixth"
    )


def test_the_processors_of_a_registered_kind_are_listed_and_run(sixth):
    assert PROCESSORS["sixth_total"].type == "sixth"
    assert processors_for("sixth") == ["sixth_total"]
    assert run_processor("sixth_total", stats_type="sixth", scope=Scope(clients=None)) == {
        "total": 0
    }


def test_the_processors_leave_with_their_kind(sixth):
    kinds.unregister("sixth")
    try:
        assert "sixth_total" not in PROCESSORS
    finally:
        kinds.register(sixth)


def test_the_fact_builder_hands_a_registered_kinds_records_to_its_extractor(sixth):
    builder = FactBuilder()
    builder.add(stats_id=1, analysis_id=2, client_id=3, stats_type="sixth", day=DAY, data={"n": 1})
    assert extracted == [((1, 2, 3, "2026-11-01"), 3, {"n": 1})]
    assert all(not rows for rows in builder.rows.values())


def test_a_registered_kind_has_a_public_endpoint_with_its_default_processor(sixth):
    assert endpoint_defaults("sixths") == ("sixth", "sixth_total")
    query = parse_query("sixths", QueryDict(""))
    assert (query.stats_type, query.processor, query.days) == ("sixth", "sixth_total", 365)


def test_the_demo_generates_a_record_of_a_registered_kind_after_the_others(sixth):
    records = demo.analysis_day(seed=1, anr=demo.analysis_uuid(1, 0, 0), day=DAY, progress=0)
    assert [r["type"] for r in records] == [*BUILT_IN, "sixth"]
    assert len(validate_batch(records, max_records=10)) == 6


def test_a_kind_cannot_list_the_processor_of_another_type():
    with pytest.raises(ValueError, match="another type"):
        StatsKind(
            name="seventh",
            validate=_validate,
            extract=_extract,
            facts=(),
            processors=(sixth_total,),
            public_endpoint=None,
            public_processor=None,
            demo=_demo,
        )


def test_a_type_or_endpoint_cannot_be_registered_twice(sixth):
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(sixth)
    with pytest.raises(ValueError, match="already taken"):
        kinds.register(
            StatsKind(
                name="other",
                validate=_validate,
                extract=_extract,
                facts=(),
                processors=(),
                public_endpoint="risks",
                public_processor=None,
                demo=_demo,
            )
        )
    assert "other" not in kinds.names()


# Modules that dispatch by record type: none may name a type, endpoint or processor itself.
DISPATCHERS = [
    "stats/validation.py",
    "stats/normalise.py",
    "stats/processors/__init__.py",
    "stats/demo.py",
    "dashboard/public.py",
    "dashboard/api.py",
]


@pytest.mark.parametrize("path", DISPATCHERS)
def test_dispatching_modules_name_no_kind_and_read_the_registry(path):
    named = {name for name in PROCESSORS}
    for kind in kinds.all_kinds():
        named |= {kind.name, kind.public_endpoint or kind.name}
    source = (Path(settings.BASE_DIR) / path).read_text()
    literals = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not literals & named
    assert (
        "from stats import kinds" in source
        or "kinds." in source
        or path == "dashboard/api.py"  # through dashboard.public
    )


def test_the_public_json_routes_are_the_endpoints_of_the_kinds():
    from dashboard import urls

    endpoints = [kind.public_endpoint for kind in kinds.all_kinds() if kind.public_endpoint]
    assert urls.STATS_ENDPOINTS.split("|") == endpoints
    assert sorted(endpoints) == ["cartography", "compliance", "risks", "threats", "vulnerabilities"]


def test_the_fact_builder_buffers_every_registered_fact_table():
    tables = {table.model for kind in kinds.all_kinds() for table in kind.facts}
    assert set(FactBuilder().rows) == tables
    assert RiskFact in tables
