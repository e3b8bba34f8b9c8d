"""Helpers shared by the client commands."""

from __future__ import annotations

import uuid

from django.core.management.base import CommandError

from clients.models import Client


def client_by_uuid(value: str) -> Client:
    try:
        client_uuid = uuid.UUID(value)
    except (TypeError, ValueError):
        raise CommandError(f"{value!r} is not a valid UUID.") from None
    client = Client.objects.filter(uuid=client_uuid).first()
    if client is None:
        raise CommandError(f"No client with uuid {client_uuid}.")
    return client
