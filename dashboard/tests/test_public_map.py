"""/map/clients.json: sharing contributors with coordinates and their top objects."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from clients.services import create_client
from statsservice.testing.seed import COMMON, VULN

pytestmark = pytest.mark.django_db


def test_it_places_sharing_contributors_with_their_top_objects(contribute, contributors):
    contributors(3)
    quiet, _ = create_client(name="quiet", is_sharing_enabled=False, latitude=1.0, longitude=1.0)
    contribute(quiet, index=5)
    unplaced, _ = create_client(name="unplaced")
    contribute(unplaced, index=6)
    data = HttpClient().get("/map/clients.json").json()
    assert [(e["latitude"], e["longitude"]) for e in data] == [
        (49.5, 6.0),
        (49.6, 6.1),
        (49.7, 6.2),
    ]
    first = data[0]
    assert list(first)[:4] == ["latitude", "longitude", "max_threat", "max_vulnerability"]
    # The first organisation reports RARE with a higher count, but only it does: not shown.
    assert first["max_threat"] == [2.0, COMMON]
    assert first["max_vulnerability"] == [1.0, VULN]
    assert first["labels"][COMMON]["label2"] == "Eavesdropping"


def test_it_shows_nobody_below_the_threshold(contributors):
    contributors(2)
    assert HttpClient().get("/map/clients.json").json() == []
