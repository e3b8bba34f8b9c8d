"""Sharing between instances: remote credentials, push cursors, what was shared, runs.

A *target* is the base URL of another Stats Service (normally REMOTE_STATS_SERVER), stored
normalised (no trailing slash) so cursors and credentials survive a cosmetic config change.
"""

from __future__ import annotations

from django.db import models

from clients.models import Client


class RemoteCredential(models.Model):
    """The token a local client's stats are pushed with on a target, encrypted at rest.

    One remote client per local client keeps each MONARC instance's origin on the global
    instance (its own analyses, its own consent flag, a withdrawal that touches only its data).
    Without one, pushes fall back to REMOTE_STATS_TOKEN (one remote client for the whole
    instance). The token is never printed nor shown in the admin.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="remote_credentials")
    target = models.CharField(max_length=500)
    token_encrypted = models.TextField(editable=False)
    remote_sharing_enabled = models.BooleanField(
        null=True,
        blank=True,
        editable=False,
        help_text="The sharing flag last set on the remote client by a push (None: never set).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client__name", "target"]
        constraints = [
            models.UniqueConstraint(fields=["client", "target"], name="credential_unique_target")
        ]

    def __str__(self) -> str:
        return f"{self.client} -> {self.target}"


class PushCursor(models.Model):
    """Up to when a client's stats are known to be on a target.

    `pushed_until` is a stats `updated_at` watermark; the next push sends rows updated at or
    after `pushed_until - SHARING_PUSH_OVERLAP`, so a row committed late with an older
    `updated_at` is still sent (the receiver's upsert makes the overlap harmless).
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="push_cursors")
    target = models.CharField(max_length=500)
    pushed_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["client__name", "target"]
        constraints = [
            models.UniqueConstraint(fields=["client", "target"], name="cursor_unique_target")
        ]

    def __str__(self) -> str:
        return f"{self.client} -> {self.target} until {self.pushed_until}"


class SharedAnalysis(models.Model):
    """An analysis of a local client with stats on a target: what `stats_withdraw` deletes."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="shared_analyses")
    target = models.CharField(max_length=500)
    anr = models.UUIDField()
    first_shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "shared analyses"
        ordering = ["client__name", "anr"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "target", "anr"], name="shared_analysis_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.anr} ({self.client} -> {self.target})"


class SharingRun(models.Model):
    """One run of a sharing command, with its totals and outcome."""

    class Kind(models.TextChoices):
        PUSH = "push", "push"
        WITHDRAW = "withdraw", "withdraw"
        PULL = "pull", "pull"
        EXPORT = "export", "export"
        IMPORT = "import", "import"

    class Outcome(models.TextChoices):
        RUNNING = "running", "running"
        SUCCESS = "success", "success"
        PARTIAL = "partial", "partial (some clients failed)"
        FAILED = "failed", "failed"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=500, blank=True, help_text="remote URL or file path")
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    dry_run = models.BooleanField(default=False)
    options = models.JSONField(default=dict, blank=True)
    clients = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    host = models.CharField(max_length=200, blank=True, help_text="host:pid of the process")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class SharingRunClient(models.Model):
    """Per-client counts of a run (the client's uuid and name survive its deletion)."""

    run = models.ForeignKey(SharingRun, on_delete=models.CASCADE, related_name="per_client")
    client = models.ForeignKey(Client, on_delete=models.SET_NULL, null=True, blank=True)
    client_uuid = models.UUIDField()
    client_name = models.CharField(max_length=200)
    records = models.PositiveIntegerField(default=0)
    bytes = models.PositiveBigIntegerField(default=0)
    chunks = models.PositiveIntegerField(default=0)
    outcome = models.CharField(
        max_length=10, choices=SharingRun.Outcome.choices, default=SharingRun.Outcome.RUNNING
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "client_name"]

    def __str__(self) -> str:
        return f"{self.client_name}: {self.records} records, {self.outcome}"
