"""The API's JSON renderer writes with orjson and falls back to DRF's renderer."""

import json
import uuid
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from statsservice.api import FastJSONRenderer

SAMPLE = {
    "object": uuid.UUID("eb2d701d-1edb-421f-8aff-82d544196d68"),
    "labels": {"label1": "Phénomène", "label2": None},
    "values": [{"count": 2.5, "maxRisk": 12, "date": "2026-11-01"}],
    "error": gettext_lazy("Not found."),
    "ratio": Decimal("0.25"),
}


def test_it_writes_what_drfs_renderer_writes():
    assert FastJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)


def test_it_falls_back_for_integers_beyond_64_bits():
    assert json.loads(FastJSONRenderer().render({"n": 10**30})) == {"n": 10**30}


def test_line_separators_are_escaped_like_drf_does():
    body = FastJSONRenderer().render({"text": "a\u2028b\u2029c"})
    assert body == b'{"text":"a\\u2028b\\u2029c"}'
    assert json.loads(body) == {"text": "a\u2028b\u2029c"}


def test_an_empty_body_stays_empty():
    assert FastJSONRenderer().render(None) == b""


def test_api_errors_are_rendered_by_it(anon):
    response = anon.get("/api/v1/stats/")
    assert response.status_code == 401
    assert response.json()["Error"]
