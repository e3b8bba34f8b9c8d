"""Content-Security-Policy on HTML pages."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    """The policy: everything from this origin only, no inline code, no framing.

    Map tiles are the one third-party resource a page may load (CSP_IMG_HOSTS, by default the
    origin of MAP_TILE_URL).
    """
    img = " ".join(["'self'", "data:", "blob:", *settings.CSP_IMG_HOSTS])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # Chart libraries (plotly) set `style="…"` attributes from their own code; inline
            # <style> elements and inline scripts stay forbidden.
            "style-src-attr 'unsafe-inline'",
            # blob: for charts exported as PNG in the browser.
            f"img-src {img}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    """Add the policy to HTML responses that do not set their own.

    JSON and other non-HTML answers need none (browsers do not execute them). The API docs page
    at /api/v1/ works under this policy because it loads its init script as a separate file
    (drf-spectacular's split Swagger view) and its inline style is removed by our template.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
