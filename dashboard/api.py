"""Public JSON (no authentication), compatible with the original's `/stats/*.json` and
`/map/clients.json`; every answer is cached (see dashboard.public) and read from a streaming
replica when there is one (statsservice.routers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from dashboard import public
from statsservice.routers import public_read


def _json_bytes(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="application/json")
    # Browsers may keep it briefly; the server-side cache does the real work.
    response["Cache-Control"] = "public, max-age=60"
    return response


# Read-only and public: any other method gets 405, never a CSRF 403.
@csrf_exempt
@require_safe
@public_read
def stats_json(request: HttpRequest, endpoint: str) -> HttpResponse:
    try:
        query = public.parse_query(endpoint, request.GET)
    except public.BadQuery as exc:
        return JsonResponse({"Error": str(exc)}, status=400)
    try:
        body = public.cached_json(query.cache_part(), lambda: public.compute(query))
    except public.ProcessorError as exc:
        # e.g. a processor that refuses the `period` parameter.
        return JsonResponse({"Error": str(exc)}, status=400)
    return _json_bytes(body)


# Read-only and public: any other method gets 405, never a CSRF 403.
@csrf_exempt
@require_safe
@public_read
def map_clients_json(request: HttpRequest) -> HttpResponse:
    return _json_bytes(public.cached_json("map-clients", public.map_clients))
