from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from dashboard.tests.browser import CLIENTS, PREFIX, prefixed_instance


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache outlives each test's database: start every test without stale entries."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def contribute(contribute: Callable[..., str]) -> Callable[..., str]:
    """The root `contribute`, with `offset` counted back from the last complete day instead of
    today: the newest day the public answers show (dashboard.tests.days)."""

    def shifted(*args: Any, offset: int = 0, **kwargs: Any) -> str:
        return contribute(*args, offset=offset + 1, **kwargs)

    return shifted


@pytest.fixture(scope="package")
def site():
    """The service under /dashboard with the demo data (4 clients x 2 analyses x 60 days, above
    PUBLIC_MIN_CONTRIBUTORS), shared by the browser test modules."""
    with prefixed_instance() as live:
        live.manage(
            "generate_demo_stats", "--clients", str(CLIENTS), "--analyses", "2", "--days", "60"
        )
        live.start()
        yield live.url + PREFIX
