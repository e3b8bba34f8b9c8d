"""Writes on clients. Every function is keyword-only and runs in one transaction."""

from __future__ import annotations

import uuid as uuid_lib
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from clients import dependents
from clients.models import Client
from clients.tokens import generate_token, hash_token


class ClientError(ValueError):
    """A client cannot be created or changed as asked; the message says why."""


def check_token(token: str) -> None:
    """Refuse empty, short or oversized caller-chosen tokens."""
    stripped = token.strip()
    if stripped != token or not token:
        raise ClientError("The token must be non-empty and have no surrounding spaces.")
    if len(token) < settings.CLIENT_TOKEN_MIN_LENGTH:
        raise ClientError(
            f"The token must have at least {settings.CLIENT_TOKEN_MIN_LENGTH} characters."
        )
    if len(token) > settings.CLIENT_TOKEN_MAX_LENGTH:
        raise ClientError(
            f"The token must have at most {settings.CLIENT_TOKEN_MAX_LENGTH} characters."
        )
    if not token.isprintable() or not token.isascii():
        raise ClientError("The token must be printable ASCII.")


def token_taken(token: str) -> bool:
    return Client.objects.filter(token_hash=hash_token(token)).exists()


@transaction.atomic
def create_client(
    *,
    name: str,
    role: str = Client.Role.USER,
    token: str | None = None,
    client_uuid: uuid_lib.UUID | None = None,
    is_sharing_enabled: bool = True,
    local: bool = True,
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[Client, str]:
    """Create a client; returns it with its clear token, which is never retrievable again."""
    name = name.strip()
    if not name:
        raise ClientError("The name must not be empty.")
    if role not in Client.Role.values:
        raise ClientError(f"Unknown role {role!r}: use one of {', '.join(Client.Role.values)}.")
    if token is None:
        token = generate_token()
    else:
        check_token(token)
    if Client.objects.filter(name=name).exists():
        raise ClientError(f"A client named {name!r} already exists.")
    if token_taken(token):
        raise ClientError("This token is already used by another client.")
    if client_uuid is not None and Client.objects.filter(uuid=client_uuid).exists():
        raise ClientError(f"A client with uuid {client_uuid} already exists.")
    client = Client(
        name=name,
        role=role,
        is_sharing_enabled=is_sharing_enabled,
        local=local,
        latitude=latitude,
        longitude=longitude,
    )
    if client_uuid is not None:
        client.uuid = client_uuid
    client.set_token(token)
    try:
        client.full_clean()
    except ValidationError as exc:
        raise ClientError("; ".join(exc.messages)) from None
    client.save()
    return client, token


@transaction.atomic
def rotate_token(*, client: Client, token: str | None = None) -> str:
    """Give the client a new token; the old one stops working at once."""
    if token is None:
        token = generate_token()
    else:
        check_token(token)
        if Client.objects.filter(token_hash=hash_token(token)).exclude(pk=client.pk).exists():
            raise ClientError("This token is already used by another client.")
    client.set_token(token)
    client.save(update_fields=["token_hash", "updated_at"])
    return token


@transaction.atomic
def delete_client(*, client: Client) -> int:
    """Delete `client` with everything other apps keep for it, which they remove first (see
    clients.dependents). Returns the number of their records that went (its stats records)."""
    count = dependents.count_records(client=client)
    client.delete()
    return count


def set_sharing(*, client: Client, enabled: bool) -> None:
    client.is_sharing_enabled = enabled
    client.save(update_fields=["is_sharing_enabled", "updated_at"])


def set_active(*, client: Client, active: bool) -> None:
    client.is_active = active
    client.save(update_fields=["is_active", "updated_at"])


def set_coordinates(*, client: Client, latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ClientError("Set both latitude and longitude, or neither.")
    if latitude is not None and not -90 <= latitude <= 90:
        raise ClientError("The latitude must be between -90 and 90.")
    if longitude is not None and not -180 <= longitude <= 180:
        raise ClientError("The longitude must be between -180 and 180.")
    client.latitude = latitude
    client.longitude = longitude
    client.save(update_fields=["latitude", "longitude", "updated_at"])


@transaction.atomic
def import_client(
    *,
    client_uuid: uuid_lib.UUID,
    name: str,
    token: str | None,
    role: str,
    is_active: bool,
    is_sharing_enabled: bool,
    local: bool,
    latitude: float | None,
    longitude: float | None,
    last_seen: datetime | None,
) -> tuple[Client, bool]:
    """Create a client carried over from the original service; (client, created).

    The token is kept as the original issued it (MONARC instances are configured with it), even
    when shorter than CLIENT_TOKEN_MIN_LENGTH; only its hash is stored. A client whose uuid
    already exists is returned untouched, so an import can be re-run.
    """
    existing = Client.objects.filter(uuid=client_uuid).first()
    if existing is not None:
        return existing, False
    if role not in Client.Role.values:
        raise ClientError(f"Unknown role {role!r}.")
    if Client.objects.filter(name=name).exists():
        raise ClientError(f"A client named {name!r} already exists with another uuid.")
    if token and token_taken(token):
        raise ClientError(f"The token of {name!r} is already used by another client.")
    if (
        latitude is None
        or longitude is None
        or not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        latitude = longitude = None
    client = Client(
        uuid=client_uuid,
        name=name,
        role=role,
        is_active=is_active,
        is_sharing_enabled=is_sharing_enabled,
        local=local,
        latitude=latitude,
        longitude=longitude,
        last_seen=last_seen,
    )
    # A client without a token in the original could never authenticate: give it an unknown one.
    client.set_token(token or generate_token())
    client.save()
    return client, True
