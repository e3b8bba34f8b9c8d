"""With enough contributors the dashboards still publish: the demo data (generate_demo_stats
with its defaults) gives every chart data, and the audit finds nothing to report."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient

from dashboard.audit import run_audit

pytestmark = pytest.mark.django_db

# What the pages load (templates/dashboard/*.html), with the periods their selectors offer.
PAGES = [
    "/stats/threats.json?processor=threat_average_on_date&last_stats=1",
    "/stats/vulnerabilities.json?processor=vulnerability_average_on_date&last_stats=1",
    "/stats/risks.json?processor=risk_averages&last_stats=1",
    "/stats/threats.json?processor=threat_average_on_date&days=180&period=week",
    "/stats/vulnerabilities.json?processor=vulnerability_average_on_date&days=180&period=month",
    "/stats/risks.json?processor=risk_averages_on_date&days=180&period=day",
    "/stats/compliance.json?processor=compliance_averages&last_stats=1",
    "/stats/compliance.json?processor=compliance_average_on_date&days=365&period=month",
    "/stats/cartography.json?last_stats=1",
    "/map/clients.json",
]


def count(data, numbers: bool) -> int:
    """How many numbers (or nulls: withheld figures) `data` holds."""
    if isinstance(data, dict):
        return sum(count(v, numbers) for v in data.values())
    if isinstance(data, list):
        return sum(count(v, numbers) for v in data)
    if data is None:
        return int(not numbers)
    return int(numbers and isinstance(data, int | float) and not isinstance(data, bool))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("generate_demo_stats", verbosity=0)
    yield
    with django_db_blocker.unblock():
        from clients.models import Client

        Client.objects.all().delete()


@pytest.mark.parametrize("url", PAGES)
def test_every_chart_of_the_demo_has_data(demo, url):
    response = HttpClient().get(url)
    assert response.status_code == 200
    data = response.json()
    assert count(data, numbers=True) > 0, url
    if "cartography" in url:
        # Rare heat-map cells (few analyses have risks there, or one organisation has most of
        # them) are withheld, as nulls: the map still has its common cells.
        assert count(data, numbers=True) >= 50
    else:
        assert count(data, numbers=False) == 0, url


def test_the_audit_finds_no_violation_on_the_demo(demo):
    report = run_audit()
    assert report.violations == []
    assert report.answers > 250  # windows past the 90 days of data give the same answers
