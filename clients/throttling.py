"""Throttling of repeated authentication failures, which never blocks a valid key.

DRF's own throttles run after authentication, so they never see a request whose key was refused.
This one is consulted by the authentication class, and only once a key has been refused: a
request with a valid key always passes, whatever its address did before (every MONARC instance
behind one back office, or everyone behind a proxy, shares an address). Failures are counted per
client address (statsservice.proxies: X-Forwarded-For only from trusted proxies) and per key
prefix (a guesser spreading over many addresses); once a scope holds AUTH_FAILURE_RATE failures
within the window, further failures in it get 429 instead of 403 until the oldest leaves it.
The count lives in the database (AuthFailure), shared by every worker.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from rest_framework.request import Request

from clients.models import AuthFailure
from statsservice.proxies import request_address

logger = logging.getLogger("statsservice.auth")

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Characters of a refused key that name its prefix scope (hashed, never stored as given).
KEY_PREFIX_LENGTH = 8


def parse_rate(rate: str) -> tuple[int, int] | None:
    """`N/s`, `N/m`, `N/h` or `N/d` (DRF's syntax) as (failures, seconds); None when empty."""
    if not rate:
        return None
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1]]


class AuthFailureThrottle:
    def __init__(self, request: Request, key: str) -> None:
        self.rate = settings.AUTH_FAILURE_RATE
        self.limit = parse_rate(self.rate)
        self.address = request_address(request)
        prefix = hashlib.sha256(key[:KEY_PREFIX_LENGTH].encode("utf-8", "replace")).hexdigest()
        self.scopes = [f"addr:{self.address}"[:100], f"key:{prefix[:32]}"]

    def blocked_for(self) -> float | None:
        """Seconds until a scope of this request may fail again, or None when none is full."""
        if self.limit is None:
            return None
        count, seconds = self.limit
        now = timezone.now()
        rows = (
            AuthFailure.objects.filter(
                scope__in=self.scopes, at__gt=now - timedelta(seconds=seconds)
            )
            .values("scope")
            .annotate(failures=Count("id"), oldest=Min("at"))
        )
        waits = [
            _seconds_until(row["oldest"] + timedelta(seconds=seconds), now)
            for row in rows
            if row["failures"] >= count
        ]
        return max(waits) if waits else None

    def record_failure(self) -> None:
        if self.limit is None:
            return
        count, seconds = self.limit
        now = timezone.now()
        AuthFailure.objects.filter(at__lte=now - timedelta(seconds=seconds)).delete()
        AuthFailure.objects.bulk_create([AuthFailure(scope=scope, at=now) for scope in self.scopes])
        failures = AuthFailure.objects.filter(scope=self.scopes[0]).count()
        if failures == count:
            logger.warning(
                "authentication failures from %s reached %s: further failures get 429",
                self.address,
                self.rate,
            )


def _seconds_until(moment: datetime, now: datetime) -> float:
    return max(1.0, (moment - now).total_seconds())
