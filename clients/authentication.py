"""`X-API-KEY` authentication for the API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from clients.models import Client
from clients.throttling import AuthFailureThrottle

if TYPE_CHECKING:
    # drf-spectacular's schema machinery is loaded only when a schema is generated.
    from drf_spectacular.openapi import AutoSchema

logger = logging.getLogger("statsservice.auth")

UNAUTHORIZED = "Unauthorized - Authentication required."
FORBIDDEN = "Forbidden - Authentication failed."


class ApiKeyAuthentication(BaseAuthentication):
    """A missing or empty key: anonymous (401 where auth is required); unknown or inactive: 403."""

    header = "HTTP_X_API_KEY"

    def authenticate(self, request: Request) -> tuple[Client, str] | None:
        key = request.META.get(self.header, "")
        if not key.strip():
            return None
        client = Client.objects.by_token(key)
        if client is not None and client.is_active:
            # A valid key always passes: the throttle only ever sees refused keys.
            client.touch()
            return client, key
        throttle = AuthFailureThrottle(request, key)
        wait = throttle.blocked_for()
        if wait is not None:
            raise exceptions.Throttled(wait, "Too many failed authentication attempts.")
        throttle.record_failure()
        logger.warning(
            "authentication failed from %s (%s)",
            throttle.address or "?",
            "inactive client" if client else "unknown token",
        )
        raise exceptions.PermissionDenied(FORBIDDEN)

    def authenticate_header(self, request: Request) -> str:
        # Any value makes DRF answer 401 (not 403) to unauthenticated requests.
        return 'API-Key header="X-API-KEY"'


def request_client(request: Request) -> Client:
    """The client that authenticated `request`, for views behind IsAuthenticated.

    DRF types `request.user` as a Django user; here it is always a Client once authenticated.
    """
    user = request.user
    if not isinstance(user, Client):
        raise exceptions.NotAuthenticated(UNAUTHORIZED)
    return user


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents X-API-KEY in the OpenAPI schema."""

    target_class = "clients.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "X-API-KEY"}
