"""The wire format between instances: the API paths sharing calls and how records travel.

A record goes out as the API takes it (`encode_record`: its uuid, analysis, type, date and the
stored payload spliced in verbatim), in a push chunk, an export file or a `GET /api/v1/stats/`
page; it comes back in through `decode_records`, the API's own validation, so a pulled or
imported record is checked exactly like a posted one.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from stats.validation import IncomingRecord, validate_batch

STATS_PATH = "api/v1/stats/"
CLIENT_ME_PATH = "api/v1/client/me"


def analysis_path(anr: Any) -> str:
    """Where one analysis's stats are deleted (`DELETE /api/v1/stats/<anr>`)."""
    return f"{STATS_PATH}{anr}"


def encode_record(
    rec_uuid: Any, anr: Any, stats_type: str, day: date, data_json: str, *, origin: Any = None
) -> bytes:
    """One record as the API takes it; the stored payload is spliced in verbatim.

    `origin`, the uuid of the client it belongs to, is written in export files only: it is
    informative, and importers ignore it ("client" is server-owned).
    """
    head = json.dumps({"uuid": str(rec_uuid), "anr": str(anr), "type": stats_type})
    tail = f',"client":"{origin}"' if origin is not None else ""
    return (head[:-1] + f',"date":"{day.isoformat()}","data":' + data_json + tail + "}").encode()


def encode_chunk(records: list[bytes]) -> bytes:
    """A JSON list of encoded records: the body of one push."""
    return b"[" + b",".join(records) + b"]"


def decode_records(items: Any, *, max_records: int) -> list[IncomingRecord]:
    """Records received from another instance, validated like the API's (BatchInvalid if not)."""
    return validate_batch(items, max_records=max_records)


def decode_page(body: Any) -> tuple[list[Any] | None, int | None]:
    """(the records, the total announced) of a `GET /api/v1/stats/` answer; None when absent."""
    if not isinstance(body, dict):
        return None, None
    items = body.get("data")
    total = (body.get("metadata") or {}).get("count")
    return (
        items if isinstance(items, list) else None,
        total if isinstance(total, int) else None,
    )
