"""Which database a query goes to when streaming replicas are configured (DATABASE_REPLICA_URLS).

Everything runs on the primary (`default`) except the public dashboard's reads of the data it
shows: a view wrapped in `public_read` reads the stats and clients tables from one replica,
chosen once per request so that the cache fingerprint and the figures come from the same
snapshot. The API, the admin, management commands and cron never enter such a view, so MONARC
reads its own writes at once and every lock and cursor lives on the primary.

A replica lags the primary by a little: the public pages may show the state of a moment ago,
which is what a cached public page shows anyway.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db.models import Model

PRIMARY = "default"
REPLICA_PREFIX = "replica_"
# The tables behind the public figures. Sessions, users and the rest stay on the primary even
# inside a public view: a visitor who just logged in must not look logged out on a lagging copy.
PUBLIC_DATA_APPS = frozenset({"stats", "clients"})

_public_alias: ContextVar[str | None] = ContextVar("public_read_alias", default=None)

P = ParamSpec("P")
R = TypeVar("R")


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


@contextmanager
def public_reads() -> Iterator[str | None]:
    """Within the block, public data is read from one replica (None: there is none)."""
    replicas = replica_aliases()
    # Spread the load; any replica will do, they all follow the same primary.
    alias = random.choice(replicas) if replicas else None  # noqa: S311 - not security
    token = _public_alias.set(alias)
    try:
        yield alias
    finally:
        _public_alias.reset(token)


def public_read(view: Callable[P, R]) -> Callable[P, R]:
    """Decorate a public view whose database reads may come from a replica."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with public_reads():
            return view(*args, **kwargs)

    return wrapped


class PublicReadRouter:
    """Replicas for public reads of public data, the primary for everything else; replicas never
    get a write or a migration (a hot standby would refuse them anyway)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        alias = _public_alias.get()
        if alias is None or model._meta.app_label not in PUBLIC_DATA_APPS:
            return PRIMARY
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # Every alias holds the same data: objects read from a replica relate to the primary's.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db == PRIMARY
