"""Public pages at the site root (the API is under /api/v1/, the admin under /admin/)."""

import re

from django.urls import path, re_path
from django.views.i18n import JavaScriptCatalog, set_language

from dashboard import api, views
from stats import kinds

# /stats/<endpoint>.json for each kind that has a public endpoint (threats, risks, ...).
STATS_ENDPOINTS = "|".join(
    re.escape(kind.public_endpoint) for kind in kinds.all_kinds() if kind.public_endpoint
)

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("evolution/", views.evolution, name="evolution"),
    path("compliance/", views.compliance, name="compliance"),
    path("risk-map/", views.riskmap, name="riskmap"),
    path("map/", views.map_page, name="map"),
    path("about/", views.about, name="about"),
    path("help/", views.help_page, name="help"),
    path("stats/rising.json", views.rising_json, name="rising-json"),
    re_path(
        rf"^stats/(?P<endpoint>{STATS_ENDPOINTS})\.json$",
        api.stats_json,
        name="stats-json",
    ),
    path("map/clients.json", api.map_clients_json, name="map-clients"),
    path("about.json", views.about_json, name="about-json"),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("i18n/setlang/", set_language, name="set-language"),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["dashboard"]),
        name="javascript-catalog",
    ),
]
