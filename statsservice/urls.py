"""URLs. API routes match with or without a trailing slash and never redirect (MONARC drops the
body on 301/302); the middleware has already collapsed doubled slashes."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import statsservice.schema  # noqa: F401  (registers the OpenAPI extensions)
from clients.views import ClientMeViewSet, ClientRegistrationViewSet
from stats.views import ProcessedViewSet, ProcessorListViewSet, StatsViewSet
from statsservice.api import json_bad_request, json_not_found, json_server_error
from statsservice.middleware import is_api_path

api_v1 = [
    re_path(r"^stats/?$", StatsViewSet.as_view({"get": "list", "post": "create"}), name="stats"),
    re_path(r"^stats/processed/?$", ProcessedViewSet.as_view({"get": "list"}), name="processed"),
    re_path(
        r"^stats/processed/list/?$",
        ProcessorListViewSet.as_view({"get": "list"}),
        name="processor-list",
    ),
    re_path(
        r"^stats/(?P<anr>[^/]+)/?$",
        StatsViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="stats-anr",
    ),
    re_path(r"^client/?$", ClientRegistrationViewSet.as_view({"post": "create"}), name="client"),
    re_path(
        r"^client/me/?$",
        ClientMeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="client-me",
    ),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^$", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"))),
    path("admin/", admin.site.urls),
    path("", include("dashboard.urls")),
]


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_path(request.path_info):
        return json_bad_request(request, exception)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request.path_info):
        return json_not_found(request, exception)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api_path(request.path_info):
        return json_server_error(request)
    from django.views.defaults import server_error

    return server_error(request)
