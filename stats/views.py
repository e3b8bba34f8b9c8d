"""`/api/v1/stats/...`: MONARC's raw stats API."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from clients.authentication import request_client
from stats import services
from stats.filtersets import ProcessedFilterSet, RawStatsFilterSet, request_params
from stats.models import Analysis, Stats, StatsQuerySet
from stats.processors import PROCESSORS, ProcessorError, processors_for, run_processor
from stats.serializers import (
    ProcessedSerializer,
    ProcessorInfoSerializer,
    StatsCreatedSerializer,
    StatsListSerializer,
    StatsRecordInSerializer,
)
from stats.validation import validate_batch
from statsservice.schema import ObjectResponseSchema

STREAM_CHUNK = 200


def stream_records(qs: StatsQuerySet, metadata: dict[str, Any]) -> StreamingHttpResponse:
    """`{"metadata": …, "data": [records]}`, streamed so memory stays flat on large reads.

    Payloads are stored as JSON text and spliced in as they are, never re-parsed.
    """

    def chunks() -> Iterator[str]:
        yield '{"metadata":' + json.dumps(metadata) + ',"data":['
        rows = qs.values_list("uuid", "analysis__uuid", "type", "date", "data_json")
        for index, (rec_uuid, anr, stats_type, day, data_json) in enumerate(
            rows.iterator(chunk_size=STREAM_CHUNK)
        ):
            head = json.dumps(
                {
                    "uuid": str(rec_uuid),
                    "anr": str(anr),
                    "type": stats_type,
                    "date": day.isoformat(),
                }
            )
            yield ("," if index else "") + head[:-1] + ',"data":' + data_json + "}"
        yield "]}"

    return StreamingHttpResponse(chunks(), content_type="application/json")


def parse_anr(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationError(f"{value[:60]!r} is not a valid analysis UUID.") from None


class StatsViewSet(viewsets.ViewSet):
    # `list` answers one {"metadata", "data"} object, not an array of them.
    schema = ObjectResponseSchema()

    @extend_schema(
        parameters=RawStatsFilterSet.openapi_parameters(),
        responses=StatsListSerializer,
        operation_id="stats_list",
        summary="Raw stats of the caller (admin: of every client)",
        description="Parameters may also come as a JSON object in the body of the GET, as MONARC "
        "sends them. Records are sorted by date, then analysis. Without get_last and dates, the "
        "window is the last 3 months.",
    )
    def list(self, request: Request) -> StreamingHttpResponse:
        filterset = RawStatsFilterSet(
            request_params(request), queryset=Stats.objects.for_client(request_client(request))
        )
        p = filterset.params()
        qs = filterset.qs
        count = qs.count()
        qs = qs.in_api_order()
        offset, limit = (0, 0) if p["get_last"] else (p["offset"], p["limit"])
        if limit:
            qs = qs[offset : offset + limit]
        elif offset:
            qs = qs[offset:]
        return stream_records(qs, {"count": count, "offset": offset, "limit": limit})

    @extend_schema(
        request=StatsRecordInSerializer(many=True),
        responses={201: StatsCreatedSerializer},
        summary="Upload a batch of stats records (atomic; re-sending a day replaces it)",
    )
    def create(self, request: Request) -> Response:
        try:
            records = validate_batch(request.data, max_records=settings.API_MAX_BATCH_RECORDS)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        stored = services.ingest_batch(client=request_client(request), records=records)
        data = [
            {"uuid": str(r.uuid), "anr": str(r.anr), "type": r.type, "date": r.date.isoformat()}
            for r in stored
        ]
        return Response(
            {"metadata": {"count": len(data)}, "data": data}, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[OpenApiParameter("anr", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=StatsListSerializer,
        summary="Every stats record of one of the caller's analyses",
    )
    def retrieve(self, request: Request, anr: str) -> StreamingHttpResponse:
        anr_uuid = parse_anr(anr)
        analyses = Analysis.objects.for_client(request_client(request)).filter(uuid=anr_uuid)
        if not analyses.exists():
            raise Http404
        qs = Stats.objects.filter(analysis__in=analyses).in_api_order()
        return stream_records(qs, {"count": qs.count()})

    @extend_schema(
        parameters=[OpenApiParameter("anr", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={204: OpenApiResponse(description="Deleted (also when nothing matched).")},
        summary="Delete the caller's stats of one analysis",
    )
    def destroy(self, request: Request, anr: str) -> Response:
        services.delete_analysis(client=request_client(request), anr=parse_anr(anr))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProcessedViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=ProcessedFilterSet.openapi_parameters(),
        responses=ProcessedSerializer,
        summary="Aggregated stats of the caller (admin: of every client)",
        description="Runs a processor (see stats/processed/list) over the caller's records of "
        "`type`. Parameters may come as a JSON object in the body of the GET, as MONARC sends "
        "them; `processor_params` is an object, [] or null. Without dates, all time.",
    )
    def list(self, request: Request) -> Response:
        filterset = ProcessedFilterSet(request_params(request))
        p = filterset.params()
        scope = filterset.scope(request_client(request))
        try:
            data = run_processor(
                p["processor"],
                stats_type=p["type"],
                scope=scope,
                params=p["processor_params"],
            )
        except ProcessorError as exc:
            return Response(
                {"Error": str(exc), "processors": processors_for(p["type"])},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"type": p["type"], "processor": p["processor"], "data": data})


class ProcessorListViewSet(viewsets.ViewSet):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        responses=ProcessorInfoSerializer(many=True),
        summary="The available processors, their stats type and parameters (public)",
    )
    def list(self, request: Request) -> Response:
        return Response(
            [
                {
                    "name": info.name,
                    "type": info.type,
                    "description": info.description,
                    "params": info.params,
                }
                for info in PROCESSORS.values()
            ]
        )
