"""/map/clients.json: sharing contributors with coordinates and their top objects."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from clients.services import create_client
from statsservice.testing.seed import COMMON, VULN

pytestmark = pytest.mark.django_db


def test_it_shows_areas_of_enough_contributors_with_their_top_objects(contribute, contributors):
    contributors(3)
    quiet, _ = create_client(name="quiet", is_sharing_enabled=False, latitude=1.0, longitude=1.0)
    contribute(quiet, index=5)
    unplaced, _ = create_client(name="unplaced")
    contribute(unplaced, index=6)
    data = HttpClient().get("/map/clients.json").json()
    # Three organisations a few hundred metres apart: one area, at its rounded position.
    assert [(e["latitude"], e["longitude"]) for e in data] == [(49.6, 6.1)]
    area = data[0]
    assert list(area)[:4] == ["latitude", "longitude", "max_threat", "max_vulnerability"]
    # The first organisation reports RARE with a higher count, but only it does: not shown.
    assert area["max_threat"] == [3.0, COMMON]
    assert area["max_vulnerability"] == [1.0, VULN]
    assert area["contributors"] == 3
    assert area["labels"]["threat"][COMMON]["label2"] == "Eavesdropping"


def test_it_shows_nobody_below_the_threshold(contributors):
    contributors(2)
    assert HttpClient().get("/map/clients.json").json() == []
