"""MOSP (MONARC's object-sharing platform) look-ups, through the shared outbound HTTP module."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from statsservice.http import RemoteError, join_url, request_json

OBJECT_PATH = "api/v2/object/"


class MospError(Exception):
    """MOSP could not be asked, or answered something unexpected; the message says which."""


@dataclass(frozen=True)
class MospAnswer:
    count: int
    objects: list[dict[str, Any]]

    @property
    def published(self) -> bool:
        return self.count > 0


def find_object(object_uuid: uuid.UUID, *, timeout: float | None = None) -> MospAnswer:
    """Ask MOSP_URL for the objects with `object_uuid` (`GET /api/v2/object/?uuid=…`)."""
    url = join_url(settings.MOSP_URL, OBJECT_PATH)
    try:
        status, body = request_json(
            "GET",
            url,
            token=settings.MOSP_TOKEN or None,
            params={"uuid": str(object_uuid)},
            timeout=(min(timeout, 5.0), timeout) if timeout else None,
        )
    except RemoteError as exc:
        if exc.unreachable:
            raise MospError(f"MOSP at {settings.MOSP_URL} is unreachable: {exc.message}") from None
        if exc.rejected:
            raise MospError(f"MOSP refused the request (check MOSP_TOKEN): {exc}") from None
        raise MospError(f"MOSP answered with an error: {exc}") from None
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MospError(f"Unexpected answer from MOSP ({url}, HTTP {status}): no data list.")
    metadata = body.get("metadata")
    count = metadata.get("count") if isinstance(metadata, dict) else None
    if not isinstance(count, int) or isinstance(count, bool):
        count = len(body["data"])
    objects = [item for item in body["data"] if isinstance(item, dict)]
    return MospAnswer(count=count, objects=objects)
