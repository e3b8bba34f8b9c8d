"""API clients: MONARC instances (local) and other Stats Services (remote) that call the API."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from clients import dependents
from clients.tokens import hash_token, token_matches


class ClientQuerySet(models.QuerySet["Client"]):
    def active(self) -> ClientQuerySet:
        return self.filter(is_active=True)

    def sharing(self) -> ClientQuerySet:
        return self.filter(is_sharing_enabled=True)

    def local(self) -> ClientQuerySet:
        return self.filter(local=True)

    def shareable(self) -> ClientQuerySet:
        """The clients whose stats may be read beyond themselves: active, with sharing enabled.

        Consent for every cross-client use (public pages, pushes to another instance)."""
        return self.active().sharing()

    def outbound(self) -> ClientQuerySet:
        """The clients whose stats may leave this instance (push, another instance's pull, an
        export): shareable, local (stats received from elsewhere are never passed on), and
        MONARC instances rather than administrative callers (admin clients, the first-run one).
        The one consent rule of sharing; `Client.outbound_refusal` says it for one client."""
        return self.local().shareable().exclude(role=Client.Role.ADMIN)

    def by_token(self, token: str) -> Client | None:
        """The client owning `token`, active or not, or None."""
        client = self.filter(token_hash=hash_token(token)).first()
        if client is None or not token_matches(token, client.token_hash):
            return None
        return client

    def delete(self) -> tuple[int, dict[str, int]]:
        """Each client through Client.delete(), so that other apps remove their records first."""
        total, per_model = 0, dict[str, int]()
        with transaction.atomic(using=self.db):
            for client in self:
                deleted, counts = client.delete()
                total += deleted
                for label, count in counts.items():
                    per_model[label] = per_model.get(label, 0) + count
        return total, per_model

    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]


class Client(models.Model):
    class Role(models.TextChoices):
        USER = "user", "user"
        ADMIN = "admin", "admin"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.USER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(default=True)
    is_sharing_enabled = models.BooleanField(
        default=True, help_text="Whether this client's stats may leave this instance."
    )
    local = models.BooleanField(
        default=True,
        help_text="True for a MONARC instance feeding this service; "
        "False for another Stats Service sending on behalf of others.",
    )
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    last_seen = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="client_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="client_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # DRF treats the authenticated principal as a user: these make a Client one.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        """Other apps first remove what they keep for this client (clients.dependents): what
        they derive from it lies beyond the reach of Django's cascade."""
        with transaction.atomic(using=using):
            dependents.remove_records(client=self)
            return super().delete(using=using, keep_parents=keep_parents)

    def outbound_refusal(self) -> str | None:
        """Why this client is not in `Client.objects.outbound()` (completing "Client <name> …"),
        or None when its stats may leave this instance."""
        if self.is_admin:
            return "is an admin client: only MONARC instances' stats are shared"
        if not self.local:
            return "is not local: stats received from another instance never leave it again"
        if not self.is_sharing_enabled:
            return "has sharing disabled: its stats do not leave this instance"
        if not self.is_active:
            return "is inactive: its stats do not leave this instance"
        return None

    def visible_clients(self) -> ClientQuerySet | None:
        """The clients whose data this client may read: None for all of them, as an admin reads
        every client's data; any other client reads only its own. Every read scopes with this."""
        return None if self.is_admin else Client.objects.filter(pk=self.pk)

    def set_token(self, token: str) -> None:
        self.token_hash = hash_token(token)

    def touch(self) -> None:
        """Record activity, at most once per CLIENT_LAST_SEEN_INTERVAL seconds."""
        now = timezone.now()
        interval = timedelta(seconds=settings.CLIENT_LAST_SEEN_INTERVAL)
        if self.last_seen is not None and now - self.last_seen < interval:
            return
        Client.objects.filter(pk=self.pk).update(last_seen=now)
        self.last_seen = now


class AuthFailure(models.Model):
    """One refused `X-API-KEY`, under each scope it counts against (an address, a key prefix).

    Kept in the database, not a per-process cache, so that every gunicorn worker (and host)
    counts the same failures; rows older than the throttle's window are deleted as new ones come.
    """

    scope = models.CharField(max_length=100)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "at"], name="authfailure_scope_at"),
            models.Index(fields=["at"], name="authfailure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at:%Y-%m-%d %H:%M:%S}"
