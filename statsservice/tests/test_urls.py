"""Routing rules MONARC relies on: both slash forms, doubled slashes, no redirects, JSON errors."""

import pytest

from statsservice.testing.seed import ANR, record

ROUTES = [
    ("GET", "/api/v1/stats/", {"type": "risk"}),
    ("GET", "/api/v1/stats", {"type": "risk"}),
    ("GET", "/api/v1/client/me", None),
    ("GET", "/api/v1/client/me/", None),
    ("GET", "/api//v1///client/me", None),
    ("DELETE", "/api/v1/stats/eb2d701d-1edb-421f-8aff-82d544196d68", None),
    ("DELETE", "/api/v1/stats/eb2d701d-1edb-421f-8aff-82d544196d68/", None),
    ("POST", "/api/v1/stats", []),
    ("POST", "/api//v1/stats//", []),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_api_route_answers_without_redirecting(api, method, path, body):
    response = api.call(method, path, body)
    assert response.status_code in (200, 201, 204)


def test_an_unknown_api_path_answers_a_json_404(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"Error": "Not Found."}


def test_api_responses_are_json(api):
    assert api.get("/api/v1/client/me").headers["Content-Type"] == "application/json"


def test_the_api_needs_no_csrf_token(api):
    # The Django test client enforces CSRF checks only when asked to: ask.
    from django.test import Client as HttpClient

    from conftest import Api

    strict = Api(HttpClient(enforce_csrf_checks=True), api.token)
    assert strict.post("/api/v1/stats/", []).status_code == 201
    assert strict.patch("/api/v1/client/me", {"is_sharing_enabled": False}).status_code == 200


def test_the_docs_page_is_served_from_installed_packages(anon):
    response = anon.http.get("/api/v1/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "swagger-ui" in page
    assert "//cdn" not in page and "https://" not in page.split("<body>")[0]


def test_the_openapi_schema_describes_the_api(anon):
    response = anon.http.get("/api/v1/schema?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = {path.rstrip("/") for path in schema["paths"]}
    assert {"/api/v1/stats", "/api/v1/client/me", "/api/v1/stats/{anr}"} <= paths
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-KEY"


def test_processed_answers_with_and_without_trailing_slash(api):
    for path in (
        "/api/v1/stats/processed/",
        "/api/v1/stats/processed",
        "/api/v1//stats//processed/",
    ):
        response = api.get(path, {"type": "risk", "processor": "risk_averages"})
        assert response.status_code == 200
        assert response.json() == {"type": "risk", "processor": "risk_averages", "data": []}


@pytest.mark.parametrize("path", ["/api/v1/client/me", "/api/v1/stats/?type=risk"])
def test_a_disallowed_host_on_the_api_answers_a_json_400(api, path):
    response = api.get(path, headers={"Host": "evil.example.org"})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"Error": "Bad Request."}


def test_a_disallowed_host_on_a_page_still_answers_html(anon):
    response = anon.get("/about/", headers={"Host": "evil.example.org"})
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/client/me", None),
        ("GET", "/api/v1/stats/", {"type": "risk"}),
        ("GET", "/api/v1/stats/eb2d701d-1edb-421f-8aff-82d544196d68", None),
        ("GET", "/api/v1/stats/processed/", {"type": "risk", "processor": "risk_averages"}),
        ("POST", "/api/v1/stats/", []),
        ("PATCH", "/api/v1/client/me", {"is_sharing_enabled": True}),
    ],
)
def test_every_keyed_api_answer_is_not_stored_by_caches(
    api, store, user_client, method, path, body
):
    store(user_client[0], record("risk", "2026-11-01", ANR))
    response = api.call(method, path, body)
    assert response.status_code < 300
    assert response.headers["Cache-Control"] == "no-store"


def test_a_refused_key_is_not_stored_either(api):
    response = api.get("/api/v1/client/me", token="not-a-known-token-at-all")
    assert response.status_code == 403
    assert response.headers["Cache-Control"] == "no-store"
