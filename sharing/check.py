"""`stats_push --check`: whether each sharing client could be pushed, without sending stats.

For each target and each client a push would send: is there a token, does the remote answer,
does it accept the token (`GET /api/v1/client/me`), and is the client it names there a `user`
created with `client_create --remote`. Nothing is written, here or there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clients.models import Client
from sharing.credentials import remote_token
from sharing.crypto import TokenUnreadable
from sharing.wire import CLIENT_ME_PATH
from statsservice.http import RemoteClient, RemoteError


class Verdict:
    OK = "ok"
    NOT_CONFIGURED = "not configured"
    FAILED = "FAILED"


@dataclass(frozen=True)
class ClientCheck:
    client: Client
    target: str
    verdict: str
    detail: str

    def line(self) -> str:
        return f"  {self.client.name} ({self.client.uuid}): {self.verdict}: {self.detail}"


def _failed(client: Client, target: str, detail: str) -> ClientCheck:
    return ClientCheck(client, target, Verdict.FAILED, detail)


def _explain(exc: RemoteError) -> str:
    if exc.unreachable:
        return f"the remote does not answer ({exc})"
    if exc.rejected:
        return (
            f"the remote refuses the token ({exc}): set the token of the client created for "
            "this one there (sharing_token_set)"
        )
    return f"the remote answered an error ({exc}): is this URL a Stats Service?"


def _judge_remote_client(client: Client, target: str, me: Any, source: str) -> ClientCheck:
    if not isinstance(me, dict):
        return _failed(client, target, "the remote's /api/v1/client/me is not a JSON object")
    name = me.get("name", "?")
    if me.get("role") != Client.Role.USER:
        return _failed(
            client,
            target,
            f"the token belongs to {name!r}, role {me.get('role')!r} there: use a user client "
            "made with client_create --remote",
        )
    if me.get("local") is True:
        return _failed(
            client,
            target,
            f"the token belongs to {name!r}, a local client there: what it receives would be "
            "counted as that instance's own; create one with client_create --remote",
        )
    remote_kind = "remote" if me.get("local") is False else "remote kind unknown (older version)"
    sharing = "sharing on" if me.get("is_sharing_enabled") else "sharing off there"
    return ClientCheck(
        client, target, Verdict.OK, f"sends as {name!r} (user, {remote_kind}, {sharing}; {source})"
    )


def check_client(client: Client, target: str) -> ClientCheck:
    try:
        token, source = remote_token(client, target)
    except TokenUnreadable as exc:
        return _failed(client, target, str(exc))
    if token is None:
        return ClientCheck(
            client,
            target,
            Verdict.NOT_CONFIGURED,
            f"no remote token (sharing_token_set --client {client.uuid} --target {target})",
        )
    try:
        # A check answers at once: no retries, whatever SHARING_HTTP_RETRIES says.
        with RemoteClient(target, token=token, retries=0) as remote:
            _, me = remote.request("GET", CLIENT_ME_PATH)
    except RemoteError as exc:
        return _failed(client, target, _explain(exc))
    return _judge_remote_client(client, target, me, source)


def check_target(target: str, clients: list[Client]) -> list[ClientCheck]:
    return [check_client(client, target) for client in clients]
