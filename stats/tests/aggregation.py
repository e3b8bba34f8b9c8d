"""Runs a processor as the processed endpoint does, over every client unless told otherwise."""

from __future__ import annotations

from typing import Any

from stats.processors import Scope, run_processor


def run(name: str, stats_type: str, params: Any = None, **scope: Any) -> Any:
    scope.setdefault("clients", None)
    return run_processor(name, stats_type=stats_type, scope=Scope(**scope), params=params)
