"""Pulling stats from another instance into a non-local client of this one (see inbound).

The source is asked for what it shares only (`shared_only`: its local, active clients with
sharing on), so its clients' consent holds whatever the token may read. A pull is bounded
whatever the source answers: SHARING_RUN_DEADLINE in all, SHARING_HTTP_MAX_ANSWER_BYTES per
page, SHARING_PULL_MAX_PAGES pages, and it stops at a page that brings no record it has not
already read (a source whose paging loops); each bound fails the run with its reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from clients.models import Client
from sharing.inbound import TransferError, require_remote_client
from sharing.models import SharingRun
from sharing.runs import ClientRecord, recorded_run, run_deadline
from sharing.wire import STATS_PATH, decode_page, decode_records
from stats import services
from stats.validation import EARLIEST_DATE, BatchInvalid, IncomingRecord
from statsservice.http import RemoteClient, RemoteError

# What makes a pull fail (recorded, then reported by the command).
ERRORS = (RemoteError, TransferError)


@dataclass
class PullResult:
    per_type: dict[str, int] = field(default_factory=dict)
    pages: int = 0

    @property
    def records(self) -> int:
        return sum(self.per_type.values())


def pull(
    *,
    client: Client,
    server: str,
    token: str,
    types: list[str],
    date_from: date | None,
    date_to: date | None,
    page_size: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> PullResult:
    """Page through the remote's `GET /api/v1/stats/` and store each page for `client`.

    Each page is stored atomically; a failure midway keeps the pages already stored, and a
    re-run stores them again without change (upsert on analysis, type and date). The run is
    recorded (kind "pull").
    """
    require_remote_client(client)
    limit = page_size or settings.SHARING_PULL_PAGE_SIZE
    # Without dates, everything: the API's own default would be the last 3 months only.
    window = {
        "date_from": (date_from or EARLIEST_DATE).isoformat(),
        "date_to": (date_to or timezone.localdate() + timedelta(days=1)).isoformat(),
    }
    result = PullResult()
    kind = SharingRun.Kind.PULL
    with (
        recorded_run(kind, target=server, options={"types": types}, errors=ERRORS) as record,
        record.client(client) as entry,
        RemoteClient(server, token=token, deadline=run_deadline()) as remote,
    ):
        pages = _Pages(remote, client, window, limit, entry, result, progress)
        for stats_type in types:
            pages.store_all(stats_type)
    return result


def _record_key(item: Any) -> int:
    """What tells one received record from another (kept as a hash: a pull may read millions)."""
    if not isinstance(item, dict):
        return hash(repr(item))
    return hash((str(item.get("anr")), str(item.get("date")), str(item.get("uuid"))))


@dataclass
class _Pages:
    """The pages of one pull, stored as they come."""

    remote: RemoteClient
    client: Client
    window: dict[str, str]
    limit: int
    entry: ClientRecord
    result: PullResult
    progress: Callable[[str, int, int], None] | None

    def store_all(self, stats_type: str) -> None:
        offset = 0
        self.result.per_type[stats_type] = 0
        seen: set[int] = set()
        while True:
            items, total = self.fetch(stats_type, offset)
            keys = {_record_key(item) for item in items}
            if items and keys <= seen:
                raise TransferError(
                    f"the remote's page at offset {offset} ({stats_type}) brings no record not "
                    "already read: its paging loops"
                )
            seen |= keys
            records = self.decode(items, stats_type, offset)
            services.ingest_batch(client=self.client, records=records)
            self.result.pages += 1
            self.result.per_type[stats_type] += len(records)
            self.entry.progress(records=len(records), size=0, chunks=1)
            offset += len(items)
            if self.progress is not None:
                self.progress(stats_type, offset, total if total is not None else offset)
            if len(items) < self.limit or (total is not None and offset >= total):
                return

    def fetch(self, stats_type: str, offset: int) -> tuple[list[Any], int | None]:
        """One page: (its records, the total announced)."""
        most = settings.SHARING_PULL_MAX_PAGES
        if self.result.pages >= most:
            raise TransferError(
                f"stopped after {most} pages (SHARING_PULL_MAX_PAGES): pull by date windows, "
                "or raise it"
            )
        params = {
            "type": stats_type,
            **self.window,
            "offset": offset,
            "limit": self.limit,
            "shared_only": "true",
        }
        try:
            _, body = self.remote.request("GET", STATS_PATH, params=params)
        except RemoteError as exc:
            if exc.status == 400 and "shared_only" in exc.message:
                raise TransferError(
                    "the source does not read by its clients' consent (no shared_only "
                    "parameter): upgrade it"
                ) from None
            raise
        items, total = decode_page(body)
        if items is None:
            raise TransferError("the remote answer has no 'data' list")
        return items, total

    def decode(self, items: list[Any], stats_type: str, offset: int) -> list[IncomingRecord]:
        try:
            return decode_records(items, max_records=self.limit)
        except BatchInvalid as exc:
            raise TransferError(
                f"the remote sent an invalid record ({stats_type}, #{offset + exc.index})"
                f": {exc.error}"
            ) from None
        except ValueError as exc:
            raise TransferError(f"unusable page: {exc}") from None
