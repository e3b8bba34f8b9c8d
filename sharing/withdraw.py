"""Withdrawing a local client's stats from another Stats Service, once its sharing is off."""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass

from clients.models import Client
from sharing.credentials import MissingToken, required_token
from sharing.crypto import TokenUnreadable
from sharing.models import PushCursor, SharedAnalysis, SharingRun
from sharing.runs import recorded_run, run_deadline
from sharing.wire import analysis_path
from stats.models import Analysis
from statsservice.http import RemoteClient, RemoteError
from statsservice.locks import Lock

# What makes a withdrawal fail (recorded, then reported by the command).
ERRORS = (RemoteError, MissingToken, TokenUnreadable)


@dataclass
class WithdrawResult:
    run: SharingRun
    analyses: list[uuid_lib.UUID]
    deleted: int = 0


def analyses_to_withdraw(client: Client, target: str) -> list[uuid_lib.UUID]:
    """What was recorded as shared, plus every local analysis (a DELETE of nothing is a 204)."""
    shared = set(
        SharedAnalysis.objects.filter(client=client, target=target).values_list("anr", flat=True)
    )
    local = set(Analysis.objects.filter(client=client).values_list("uuid", flat=True))
    return sorted(shared | local, key=str)


def withdraw(*, client: Client, target: str, dry_run: bool, lock: Lock | None) -> WithdrawResult:
    """DELETE each analysis of `client` on `target`, forgetting it once the remote confirmed."""
    anrs = analyses_to_withdraw(client, target)
    kind = SharingRun.Kind.WITHDRAW
    with (
        recorded_run(kind, target=target, dry_run=dry_run, errors=ERRORS) as record,
        record.client(client) as entry,
    ):
        result = WithdrawResult(run=record.run, analyses=anrs)
        if dry_run:
            return result
        token = required_token(client, target)
        with RemoteClient(target, token=token, deadline=run_deadline()) as remote:
            for anr in anrs:
                remote.request("DELETE", analysis_path(anr))
                SharedAnalysis.objects.filter(client=client, target=target, anr=anr).delete()
                result.deleted += 1
                entry.progress(records=0, size=0, chunks=1)
                if lock is not None:
                    lock.renew()
        # Nothing of this client is left there: a later re-enable must send everything again.
        PushCursor.objects.filter(client=client, target=target).delete()
    return result
