import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The cache outlives each test's database: start every test without stale entries."""
    cache.clear()
    yield
    cache.clear()
