"""What pull and import share: received stats go to a non-local client, checked like the API.

Received stats always go to a non-local client (`client_create --remote`): they keep their
provenance, `local_stats_only` views exclude them, and a push never sends them on. Both paths
validate like the API (`wire.decode_records`) and store through stats.services.ingest_batch,
so a repeated pull or import changes nothing.
"""

from __future__ import annotations

from clients.models import Client


class TransferError(Exception):
    """Bad input or an unusable answer; the message is meant for the operator."""


def require_remote_client(client: Client) -> None:
    if client.local:
        raise TransferError(
            f"client {client.name!r} is local (a MONARC instance); received stats must go to a "
            "client standing for the other instance: create one with client_create --remote"
        )
