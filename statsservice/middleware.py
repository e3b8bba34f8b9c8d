"""Request plumbing that must run before URL resolution."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

_SLASHES = re.compile(r"/{2,}")
_MONARC_UA = re.compile(r"^MONARC/(\d+)\.(\d+)(?:\.(\d+))?")


def is_api_path(path_info: str) -> bool:
    return path_info.startswith("/api/")


class CollapseSlashesMiddleware:
    """Turn `//dashboard/api/v1//stats/` into `/dashboard/api/v1/stats/` before routing.

    MONARC's Ansible templates end `statsApi.baseUrl` with a slash, so every call arrives with a
    doubled one; a redirect would make MONARC's HTTP client drop the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "//" in request.path_info:
            request.path_info = _SLASHES.sub("/", request.path_info)
            request.path = _SLASHES.sub("/", request.path)
        return self.get_response(request)


def monarc_version(user_agent: str) -> tuple[int, int, int] | None:
    """The version in `MONARC/x.y.z`, or None when the agent is not MONARC or unparseable."""
    match = _MONARC_UA.match(user_agent.strip())
    if not match:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


class MonarcVersionMiddleware:
    """Refuse MONARC releases older than MONARC_MIN_VERSION on the API with 426."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path_info):
            version = monarc_version(request.META.get("HTTP_USER_AGENT", ""))
            minimum = settings.MONARC_MIN_VERSION
            if version is not None and version < minimum:
                wanted = ".".join(map(str, minimum))
                return JsonResponse(
                    {"Error": f"Upgrade Required - MONARC {wanted} or newer is needed."}, status=426
                )
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every API answer to a keyed request.

    They hold a client's own data (`client/me` echoes its token): no cache on the way (a proxy,
    the browser of someone trying the API) may keep them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_api_path(request.path_info) and "HTTP_X_API_KEY" in request.META:
            response["Cache-Control"] = "no-store"
        return response
