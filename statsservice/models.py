"""Models of the project package: only what apps below and above sharing both need."""

from __future__ import annotations

from django.db import models


class JobLock(models.Model):
    """A named lock claimed by a conditional UPDATE, so two runs never work on the same thing.

    `holder` is `host:pid:nonce`; a lock whose `expires_at` passed, or whose holder process on
    this host is gone, may be taken over (a killed run never blocks the next one for long).
    The table keeps the name it had when only sharing used it (no table was moved).
    """

    name = models.CharField(max_length=200, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "sharing_sharinglock"

    def __str__(self) -> str:
        return f"{self.name} ({self.holder or 'free'})"
