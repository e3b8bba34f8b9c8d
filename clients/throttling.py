"""Throttling of repeated authentication failures per client address.

DRF's own throttles run after authentication, so they never see a request whose key was refused.
This one is consulted by the authentication class itself: once an address has failed
AUTH_FAILURE_RATE times (DRF rate syntax, e.g. "20/m"), every keyed request from it gets 429 until
the oldest failure leaves the window. The history lives in Django's default cache (per process
unless a shared cache is configured); the address is DRF's `get_ident`, which honours
`NUM_PROXIES` behind a reverse proxy.
"""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger("statsservice.auth")


class AuthFailureThrottle(SimpleRateThrottle):
    scope = "auth_failure"
    # Set from the rate by SimpleRateThrottle.__init__; read only once a rate is configured.
    num_requests: int
    duration: int

    def get_rate(self) -> str | None:
        return settings.AUTH_FAILURE_RATE or None

    def get_cache_key(self, request: Request, view: object = None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request: Request) -> None:
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def blocked_for(self, request: Request) -> float | None:
        """Seconds until the address may try again, or None when it is not blocked."""
        if self.rate is None:
            return None
        self._load(request)
        if len(self.history) < self.num_requests:
            return None
        return max(1.0, self.history[-1] + self.duration - self.now)

    def record_failure(self, request: Request) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
        if len(self.history) == self.num_requests:
            logger.warning(
                "authentication failures from %s reached %s: further attempts get 429",
                self.get_ident(request),
                self.rate,
            )
