"""Public pages and the small well-known files (about.json, healthz, robots, security.txt)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from dashboard import public, rising
from dashboard.labels import label_order
from sharing.push import forwarding_targets
from stats import kinds
from stats.models import Analysis, Stats
from statsservice.routers import public_read

SECURITY_TXT_LIFETIME = timedelta(days=180)

PAGES = [
    ("dashboard:home", "home"),
    ("dashboard:evolution", "evolution"),
    ("dashboard:compliance", "compliance"),
    ("dashboard:riskmap", "riskmap"),
    ("dashboard:map", "map"),
]


@cache
def version() -> str:
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def contact() -> str:
    if settings.ADMIN_EMAIL:
        return f"mailto:{settings.ADMIN_EMAIL}"
    return settings.ADMIN_URL


def _context(request: HttpRequest, page: str, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "label_order": ",".join(label_order(request)),
        "min_contributors": settings.PUBLIC_MIN_CONTRIBUTORS,
        "max_dominance_percent": round(settings.PUBLIC_MAX_DOMINANCE * 100),
        "admin_email": settings.ADMIN_EMAIL,
        "admin_url": settings.ADMIN_URL,
        "version": version(),
        "mosp_url": settings.MOSP_URL,
        "source_url": settings.SOURCE_URL,
        **extra,
    }


def data_facts() -> dict[str, Any]:
    """The "About this data" block: who contributes, how much, how fresh (sharing clients only),
    over the records up to the last complete day, as every public figure: what arrives today
    does not show before midnight."""
    end = public.last_complete_day()
    shown = Analysis.objects.filter(client__in=public.public_clients(), first_date__lte=end)
    analyses = shown.aggregate(
        organisations=Count("client", distinct=True),
        analyses=Count("pk"),
        latest=Max("last_date", filter=Q(last_date__lte=end)),
    )
    # Analyses that also have later records: their latest record up to `end` (a few rows).
    recent = Stats.objects.filter(analysis__in=shown.filter(last_date__gt=end), date__lte=end)
    latest = max(
        (d for d in (analyses["latest"], recent.aggregate(m=Max("date"))["m"]) if d), default=None
    )
    return {
        "organisations": analyses["organisations"],
        "analyses": analyses["analyses"],
        "latest": latest,
        "version": version(),
    }


def public_endpoints() -> list[tuple[str, str]]:
    """(file name, URL) of every public JSON file, for the Help page."""
    found = [
        (
            f"{kind.public_endpoint}.json",
            reverse("dashboard:stats-json", args=[kind.public_endpoint]),
        )
        for kind in kinds.all_kinds()
        if kind.public_endpoint
    ]
    found.append(("rising.json", reverse("dashboard:rising-json")))
    found.append(("map/clients.json", reverse("dashboard:map-clients")))
    found.append(("about.json", reverse("dashboard:about-json")))
    return found


@require_safe
@public_read
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", _context(request, "home", facts=data_facts()))


@require_safe
@public_read
def evolution(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/evolution.html", _context(request, "evolution"))


@require_safe
@public_read
def compliance(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/compliance.html", _context(request, "compliance"))


@require_safe
@public_read
def riskmap(request: HttpRequest) -> HttpResponse:
    thresholds = {
        "informational": settings.RISK_THRESHOLDS_INFORMATIONAL,
        "operational": settings.RISK_THRESHOLDS_OPERATIONAL,
    }
    return render(
        request,
        "dashboard/riskmap.html",
        _context(
            request,
            "riskmap",
            thresholds=",".join(f"{k}:{v[0]}:{v[1]}" for k, v in thresholds.items()),
            thresholds_info=thresholds["informational"],
            thresholds_op=thresholds["operational"],
        ),
    )


@require_safe
@public_read
def map_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboard/map.html",
        _context(
            request,
            "map",
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        ),
    )


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboard/about.html",
        _context(
            request,
            "about",
            facts=data_facts(),
            # Every target, per-client tokens included: not only REMOTE_STATS_SERVER.
            remote_server=", ".join(forwarding_targets()),
        ),
    )


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    return render(
        request, "dashboard/help.html", _context(request, "help", endpoints=public_endpoints())
    )


# Read-only and public: any other method gets 405, never a CSRF 403.
@csrf_exempt
@require_safe
@public_read
def rising_json(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "").strip() or rising.DEFAULT_PERIOD
    if period not in rising.PERIODS:
        return JsonResponse(
            {"Error": f"'period' must be one of {', '.join(rising.PERIODS)}."}, status=400
        )
    body = public.cached_json(f"rising|{period}", lambda: rising.rising(period))
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "public, max-age=60"
    return response


# Read-only and public: any other method gets 405, never a CSRF 403.
@csrf_exempt
@require_safe
def about_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "version": version(),
            "version_url": request.build_absolute_uri(reverse("dashboard:about")),
            "api_v1_root": request.build_absolute_uri(reverse("api:docs")),
            "contact": contact(),
        }
    )


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and container checks)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    # Pages may be indexed; the API, the admin and the raw JSON may not.
    lines = ["User-agent: *"]
    for name in ("api:docs", "admin:index"):
        lines.append(f"Disallow: {reverse(name)}")
    lines.append(
        f"Disallow: {reverse('dashboard:stats-json', args=['threats']).rsplit('/', 1)[0]}/"
    )
    lines.append(f"Disallow: {reverse('dashboard:map-clients')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: Contact and Expires are required; 404 while no contact is configured."""
    how = contact()
    if not how:
        return HttpResponse(
            "No security contact is configured (ADMIN_EMAIL or ADMIN_URL).\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    expires = (timezone.now() + SECURITY_TXT_LIFETIME).replace(microsecond=0)
    lines = [
        f"Contact: {how}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: en, fr",
        f"Canonical: {request.build_absolute_uri(reverse('dashboard:security-txt'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
