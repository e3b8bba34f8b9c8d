"""Processors of `compliance` records: SOA levels per referential, category and control."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.db.models import Max, QuerySet

from stats.models import (
    LABEL_KEYS,
    ComplianceCategoryFact,
    ComplianceControlFact,
    Label,
    category_key,
)
from stats.processors.base import (
    Scope,
    Source,
    bucket,
    check_params,
    iso,
    mean,
    period_param,
    processor,
    source,
    uuid_param,
)

REFERENTIAL_PARAM = {"referential": "only this referential (UUID); default all"}
ON_DATE_PARAMS = {
    **REFERENTIAL_PARAM,
    "period": "day (default), week, month, quarter or year: bucket by the period's first day",
}
EMPTY = dict.fromkeys(LABEL_KEYS, "")


def _facts(model: Any, scope: Scope, params: dict[str, Any]) -> Source:
    referential = uuid_param(params, "referential")
    filters: dict[str, Any] = {"referential": referential} if referential else {}
    return source(model, scope, "compliance", **filters)


def _means(src: Source) -> dict[str, Any]:
    return {"cur": src.mean("current", "n_current"), "tgt": src.mean("target", "n_target")}


def _labels(scope: Scope) -> dict[tuple[str, uuid.UUID], dict[str, str]]:
    """Referential and category labels of the clients in scope (non-empty wins)."""
    qs = Label.objects.filter(kind__in=[Label.Kind.REFERENTIAL, Label.Kind.CATEGORY])
    if scope.clients is not None:
        qs = qs.filter(client_id__in=scope.clients.values("pk"))
    if scope.local_only:
        qs = qs.filter(client__local=True)
    # The stubs type rows by their literal names only; these are annotated from LABEL_KEYS.
    rows = cast(
        "QuerySet[Label, dict[str, Any]]",
        qs.values("kind", "key").annotate(**{k: Max(k) for k in LABEL_KEYS}).order_by(),
    )
    return {(row["kind"], row["key"]): {k: row[k] or "" for k in LABEL_KEYS} for row in rows}


def _referentials(
    keys: list[tuple[uuid.UUID, int]], labels: dict[tuple[str, uuid.UUID], dict[str, str]]
) -> tuple[list[dict[str, Any]], dict[tuple[uuid.UUID, int], dict[str, Any]]]:
    """The output skeleton: referentials with their categories, and categories by key."""
    result: list[dict[str, Any]] = []
    by_ref: dict[uuid.UUID, dict[str, Any]] = {}
    categories: dict[tuple[uuid.UUID, int], dict[str, Any]] = {}
    for referential, position in keys:
        if referential not in by_ref:
            by_ref[referential] = {
                "referential": str(referential),
                "labels": labels.get((Label.Kind.REFERENTIAL, referential), EMPTY),
                "categories": [],
            }
            result.append(by_ref[referential])
        category = {
            "labels": labels.get((Label.Kind.CATEGORY, category_key(referential, position)), EMPTY)
        }
        by_ref[referential]["categories"].append(category)
        categories[(referential, position)] = category
    return result, categories


@processor("compliance_averages", "compliance", REFERENTIAL_PARAM)
def compliance_averages(scope: Scope, params: dict[str, Any]) -> Any:
    """Per referential and category, mean current level against mean target, and per control.

    A category's `current` is the mean of its sent value (mean SOA level x 0.2) over the selected
    records; `target` the mean of its target value (share of applicable controls). Each control's
    `current`/`target` is the mean of its value over the selected records that contain it.
    """
    check_params("compliance_averages", params, REFERENTIAL_PARAM)
    src = _facts(ComplianceCategoryFact, scope, params)
    rows = list(
        src.qs.values("referential", "position")
        .annotate(**_means(src))
        .order_by("referential", "position")
    )
    if not rows:
        return []
    result, categories = _referentials(
        [(row["referential"], row["position"]) for row in rows], _labels(scope)
    )
    for row in rows:
        category = categories[(row["referential"], row["position"])]
        category.update(current=mean(row["cur"]), target=mean(row["tgt"]), controls=[])
    src = _facts(ComplianceControlFact, scope, params)
    controls = (
        src.qs.values("referential", "position", "measure")
        .annotate(ctl_code=Max("code"), **_means(src))
        .order_by("referential", "position", "ctl_code", "measure")
    )
    for row in controls:
        owner = categories.get((row["referential"], row["position"]))
        if owner is not None:
            owner["controls"].append(
                {
                    "code": row["ctl_code"],
                    "measure": str(row["measure"]),
                    "current": mean(row["cur"]),
                    "target": mean(row["tgt"]),
                }
            )
    return result


@processor("compliance_average_on_date", "compliance", ON_DATE_PARAMS)
def compliance_average_on_date(scope: Scope, params: dict[str, Any]) -> Any:
    """Per referential and category, mean current and target levels per date (or period).

    `values[i]` holds the means over the selected records of that bucket; `averages` the means
    over every selected record (not a mean of the per-date means).
    """
    check_params("compliance_average_on_date", params, ON_DATE_PARAMS)
    period = period_param(params)
    src = _facts(ComplianceCategoryFact, scope, params)
    facts = src.qs
    overall = list(
        facts.values("referential", "position")
        .annotate(**_means(src))
        .order_by("referential", "position")
    )
    if not overall:
        return []
    result, categories = _referentials(
        [(row["referential"], row["position"]) for row in overall], _labels(scope)
    )
    for row in overall:
        category = categories[(row["referential"], row["position"])]
        category["values"] = []
        category["averages"] = {"current": mean(row["cur"]), "target": mean(row["tgt"])}
    per_bucket = (
        facts.values("referential", "position", day=bucket(period))
        .annotate(**_means(src))
        .order_by("day")
    )
    for row in per_bucket:
        categories[(row["referential"], row["position"])]["values"].append(
            {"date": iso(row["day"]), "current": mean(row["cur"]), "target": mean(row["tgt"])}
        )
    # `values` before `averages` in every category, as in the threat processors.
    for category in categories.values():
        category["averages"] = category.pop("averages")
    return result
