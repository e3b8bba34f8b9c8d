"""A strict Content-Security-Policy on HTML pages, which the API docs page works under."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.test import Client as HttpClient

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_html_pages_get_the_policy(db):
    response = HttpClient().get("/admin/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "img-src 'self' data: blob:;" in policy


def test_the_map_tile_host_is_configurable(settings, db):
    settings.CSP_IMG_HOSTS = ["https://tiles.example.org"]
    policy = HttpClient().get("/admin/login/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://tiles.example.org;" in policy


@pytest.mark.parametrize(
    ("tile_url", "hosts"),
    [
        ("", "[]"),
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "['https://tile.openstreetmap.org']"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "['https://*.tiles.example.org']"),
    ],
)
def test_the_tile_host_defaults_to_the_origin_of_map_tile_url(tile_url, hosts):
    env = {k: v for k, v in os.environ.items() if k != "CSP_IMG_HOSTS"}
    env["MAP_TILE_URL"] = tile_url
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.CSP_IMG_HOSTS)"],
        env={**env, "DJANGO_SETTINGS_MODULE": "statsservice.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == hosts


def test_json_answers_do_not_need_it(anon):
    reply = anon.get("/api/v1/client/me")
    assert reply.headers["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in reply.headers


def test_the_swagger_page_has_no_inline_code_and_loads_its_init_script_from_self(db):
    http = HttpClient()
    page = http.get("/api/v1/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Content-Security-Policy" in page
    assert not INLINE_SCRIPT.search(html)
    assert "<style" not in html
    assert " style=" not in html
    script_urls = re.findall(r'<script src="([^"]+)"', html)
    assert len(script_urls) == 3
    assert all(url.startswith("/") for url in script_urls)  # same origin, no CDN
    init = http.get(script_urls[-1].replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
    assert "/api/v1/schema" in init.content.decode()
    for url in script_urls[:2]:
        assert http.get(url).status_code == 200
