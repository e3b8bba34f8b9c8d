"""The About page explains the disclosure rules with the configured numbers."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db


def test_the_about_page_explains_threshold_dominance_and_windows(settings):
    settings.PUBLIC_MIN_CONTRIBUTORS = 5
    settings.PUBLIC_MAX_DOMINANCE = 0.75
    html = HttpClient().get("/about/").content.decode()
    assert 'id="disclosure-control"' in html
    assert "at least 5 different organisations" in html
    assert "more than 75 %" in html
    assert "7, 30, 90, 180, 365, 730, 1095 or 1830 days" in html
    assert "about 10 km" in html


def test_the_client_admin_names_clients_counted_as_one(client, store):
    from django.contrib.auth import get_user_model

    from clients.services import create_client
    from statsservice.testing.seed import ANR, record

    user = get_user_model().objects.create_superuser("root", "", "pw-for-tests-only")
    client.force_login(user)
    first, _ = create_client(name="FO first")
    again, _ = create_client(name="FO imported again", local=False)
    for owner in (first, again):
        store(owner, record("risk", "2026-01-05", ANR))
    page = client.get("/admin/clients/client/", follow=True).content.decode()
    assert "FO first, FO imported again hold analyses with the same uuids" in page
