"""The public pages: rendering, no inline code, URL prefixes, languages, vendored assets."""

from __future__ import annotations

import re

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import set_script_prefix

pytestmark = pytest.mark.django_db

PAGES = ["/", "/evolution/", "/compliance/", "/risk-map/", "/map/", "/about/", "/help/"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_without_inline_scripts_or_styles(path):
    response = HttpClient().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>" in html
    assert not INLINE_SCRIPT.search(html)
    assert "<style" not in html
    assert " style=" not in html
    assert " on" + "click=" not in html


@pytest.mark.parametrize("path", ["/", "/evolution/", "/compliance/", "/risk-map/"])
def test_chart_pages_load_plotly_from_this_server(path):
    html = HttpClient().get(path).content.decode()
    assert '<script src="/static/vendor/plotly/plotly.min.js"></script>' in html
    assert 'data-export="csv"' in html
    assert 'data-export="png"' in html
    assert "No data yet." in html


def test_the_home_page_offers_the_original_selectors():
    html = HttpClient().get("/").content.decode()
    for value in ('value="5"', 'value="10"', 'value="15"', 'value="averageRate"', 'value="count"'):
        assert value in html
    assert 'value="maxRisk"' in html
    assert 'value="asc"' in html
    assert "/stats/threats.json?processor=threat_average_on_date&amp;last_stats=1" in html


def get_under_prefix(path: str, prefix: str = "/dashboard") -> str:
    """Through Django's real WSGI handler, as a reverse proxy mounting us at `prefix` would."""
    environ = RequestFactory()._base_environ(PATH_INFO=path, SCRIPT_NAME=prefix)
    handler = WSGIHandler()
    chunks = handler(environ, lambda status, headers: None)
    try:
        return b"".join(chunks).decode()
    finally:
        set_script_prefix("/")


def test_pages_work_under_a_url_prefix():
    html = get_under_prefix("/evolution/")
    assert 'href="/dashboard/compliance/"' in html
    assert 'src="/dashboard/jsi18n/"' in html
    assert 'data-url-threat="/dashboard/stats/threats.json?' in html
    assert 'action="/dashboard/i18n/setlang/"' in html


def test_pages_speak_french_to_french_browsers():
    response = HttpClient().get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Paysage actuel de la cybersécurité" in html
    assert "Principales menaces" in html
    assert 'data-label-order="label1,' in html


def test_a_visitor_can_switch_the_language():
    http = HttpClient()
    response = http.post("/i18n/setlang/", {"language": "fr", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/about/"
    assert "Déclaration de partage des données" in http.get("/about/").content.decode()


def test_the_javascript_catalogue_is_translated():
    body = HttpClient().get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "R\\u00e9siduel" in body or "Résiduel" in body


def test_the_about_page_discloses_what_is_shared(settings):
    settings.PUBLIC_MIN_CONTRIBUTORS = 4
    settings.REMOTE_STATS_TOKEN = "x" * 20
    settings.REMOTE_STATS_SERVER = "https://global.example.org"
    html = HttpClient().get("/about/").content.decode()
    assert "Data sharing disclosure" in html
    assert "at least 4 organisations" in html
    assert "https://global.example.org" in html
    settings.REMOTE_STATS_TOKEN = ""
    assert (
        "forwards statistics to no other instance" in HttpClient().get("/about/").content.decode()
    )


def test_the_map_page_uses_the_configured_tiles(settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = HttpClient().get("/map/").content.decode()
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'src="/static/vendor/leaflet/leaflet.js"' in html


def test_the_map_page_works_without_tiles(settings):
    settings.MAP_TILE_URL = ""
    html = HttpClient().get("/map/").content.decode()
    assert 'data-tile-url=""' in html
    # No tiles: the country outlines shipped with the service are the background.
    assert 'data-outlines="/static/dashboard/geo/countries-110m.json"' in html
    assert "Natural Earth (public domain)" in html


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/vendor/plotly/plotly.min.js", "text/javascript"),
        ("/static/vendor/leaflet/leaflet.js", "text/javascript"),
        ("/static/vendor/leaflet/leaflet.css", "text/css"),
        ("/static/dashboard/js/common.js", "text/javascript"),
    ],
)
def test_vendored_assets_are_served_from_pip_packages(path, content_type):
    response = HttpClient().get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)


def test_collectstatic_copies_the_vendored_assets(tmp_path, settings):
    """For deployments that serve static files from the proxy instead of WhiteNoise."""
    settings.STATIC_ROOT = str(tmp_path)
    call_command("collectstatic", "--noinput", verbosity=0)
    for path in (
        "vendor/plotly/plotly.min.js",
        "vendor/leaflet/leaflet.js",
        "dashboard/js/home.js",
    ):
        assert (tmp_path / path).stat().st_size > 0


def test_the_about_page_lists_every_target_clients_have_a_token_for(settings, make_client):
    from sharing.credentials import set_remote_token

    settings.REMOTE_STATS_TOKEN = ""
    sharing_client, _ = make_client("FO 1")
    silent_client, _ = make_client("FO 2", is_sharing_enabled=False)
    set_remote_token(client=sharing_client, target="https://global.example.org/", token="t" * 20)
    set_remote_token(client=silent_client, target="https://other.example.org", token="t" * 20)
    html = HttpClient().get("/about/").content.decode()
    assert "to the global instance at https://global.example.org," in html
    assert "other.example.org" not in html
    assert "forwards statistics to no other instance" not in html


@pytest.mark.parametrize("path", PAGES)
def test_every_page_footer_offers_the_source_code(path, settings):
    settings.SOURCE_URL = "https://git.example.org/stats-fork"
    html = HttpClient().get(path).content.decode()
    assert '<a href="https://git.example.org/stats-fork" rel="noopener" class="source">' in html


def test_home_and_about_say_where_the_data_comes_from(contributors):
    contributors(3)
    for path in ("/", "/about/"):
        html = HttpClient().get(path).content.decode()
        assert "About this data" in html
        assert '<dd data-fact="organisations">3</dd>' in html
        assert '<dd data-fact="analyses">3</dd>' in html
        assert 'data-fact="latest"><time datetime="' in html
        assert 'data-fact="version">' in html


def test_help_lists_every_public_json_file_and_the_source():
    html = HttpClient().get("/help/").content.decode()
    for name in (
        "threats.json",
        "vulnerabilities.json",
        "risks.json",
        "compliance.json",
        "cartography.json",
        "rising.json",
        "map/clients.json",
        "about.json",
    ):
        assert f'data-endpoint="{name}"' in html, name
    assert 'data-link="source"' in html
    assert 'data-link="docs"' in html
    assert 'data-link="discussions"' in html


def test_pages_carry_the_mosp_url_and_the_risk_thresholds(settings):
    settings.MOSP_URL = "https://mosp.example.org"
    settings.RISK_THRESHOLDS_INFORMATIONAL = [5, 25]
    html = HttpClient().get("/").content.decode()
    assert 'data-mosp-url="https://mosp.example.org"' in html
    html = HttpClient().get("/risk-map/").content.decode()
    assert 'data-thresholds="informational:5:25,operational:4:8"' in html


def test_the_openapi_schema_documents_the_public_json_files():
    response = HttpClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/stats/threats.json",
        "/stats/cartography.json",
        "/stats/compliance.json",
        "/stats/rising.json",
        "/map/clients.json",
        "/about.json",
    ):
        assert path in paths, path
        assert paths[path]["get"]["security"] == []
    processors = paths["/stats/threats.json"]["get"]["parameters"][0]["schema"]["enum"]
    assert "threat_average_on_date" in processors
