"""/about.json, /healthz, /robots.txt and /.well-known/security.txt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from django.test import Client as HttpClient

from dashboard import views
from dashboard.tests.test_views import get_under_prefix

pytestmark = pytest.mark.django_db


def test_about_json_has_the_original_keys(settings):
    settings.ADMIN_EMAIL = "security@example.org"
    data = HttpClient().get("/about.json").json()
    assert list(data) == ["version", "version_url", "api_v1_root", "contact"]
    assert data["api_v1_root"] == "http://testserver/api/v1/"
    assert data["contact"] == "mailto:security@example.org"
    assert data["version"] == views.version()


def test_healthz_checks_the_database():
    response = HttpClient().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_head_requests():
    assert HttpClient().head("/healthz").status_code == 200


def test_healthz_answers_503_when_the_database_fails(monkeypatch):
    class Broken:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Broken())
    response = HttpClient().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_robots_txt_keeps_crawlers_off_the_api_and_json():
    body = HttpClient().get("/robots.txt").content.decode()
    assert body.startswith("User-agent: *\n")
    assert "Disallow: /api/v1/\n" in body
    assert "Disallow: /stats/\n" in body
    assert "Disallow: /admin/\n" in body


def test_robots_txt_follows_the_url_prefix():
    body = get_under_prefix("/robots.txt", "/dash")
    assert "Disallow: /dash/api/v1/\n" in body


def test_security_txt_has_the_fields_rfc_9116_requires(settings):
    settings.ADMIN_EMAIL = "security@example.org"
    response = HttpClient().get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.content.decode().splitlines())
    assert fields["Contact"] == "mailto:security@example.org"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    # RFC 9116 §2.5.5: in the future, and less than a year ahead.
    assert now < expires < now + timedelta(days=365)
    assert fields["Canonical"] == "http://testserver/.well-known/security.txt"


def test_security_txt_may_point_to_a_contact_page(settings):
    settings.ADMIN_EMAIL = ""
    settings.ADMIN_URL = "https://example.org/contact"
    body = HttpClient().get("/.well-known/security.txt").content.decode()
    assert "Contact: https://example.org/contact\n" in body


def test_security_txt_is_absent_without_a_contact(settings):
    settings.ADMIN_EMAIL = ""
    settings.ADMIN_URL = ""
    assert HttpClient().get("/.well-known/security.txt").status_code == 404
