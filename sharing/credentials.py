"""Remote targets and the tokens local clients' stats are sent with.

A *target* is the base URL of another Stats Service (normally REMOTE_STATS_SERVER), stored
normalised (no trailing slash) so cursors and credentials survive a cosmetic config change.
"""

from __future__ import annotations

from django.conf import settings

from clients.models import Client
from sharing.crypto import decrypt_token, encrypt_token
from sharing.models import RemoteCredential


class MissingToken(Exception):
    """Neither the client's own remote token nor REMOTE_STATS_TOKEN is set."""

    def __init__(self) -> None:
        super().__init__("no remote token: set REMOTE_STATS_TOKEN or use sharing_token_set")


class TargetMismatch(Exception):
    """Tokens are stored for other targets than the one a command was asked to use."""


def normalise_target(url: str) -> str:
    return url.strip().rstrip("/")


def default_target() -> str:
    return normalise_target(settings.REMOTE_STATS_SERVER)


def target_or_default(url: str | None) -> str:
    """A `--target` option, normalised; REMOTE_STATS_SERVER when not given."""
    return normalise_target(url) if url else default_target()


def set_remote_token(*, client: Client, target: str, token: str) -> RemoteCredential:
    credential, _ = RemoteCredential.objects.update_or_create(
        client=client,
        target=normalise_target(target),
        defaults={"token_encrypted": encrypt_token(token)},
    )
    return credential


def unset_remote_token(*, client: Client, target: str) -> int:
    deleted, _ = RemoteCredential.objects.filter(
        client=client, target=normalise_target(target)
    ).delete()
    return deleted


def remote_token(client: Client, target: str) -> tuple[str | None, str]:
    """(token, where it comes from): the client's own remote token, else REMOTE_STATS_TOKEN."""
    credential = RemoteCredential.objects.filter(client=client, target=target).first()
    if credential is not None:
        return decrypt_token(credential.token_encrypted), "per-client token"
    if settings.REMOTE_STATS_TOKEN:
        return settings.REMOTE_STATS_TOKEN, "REMOTE_STATS_TOKEN"
    return None, "none"


def required_token(client: Client, target: str) -> str:
    """The token to send `client`'s stats with; MissingToken (or TokenUnreadable) if none."""
    token, _ = remote_token(client, target)
    if token is None:
        raise MissingToken
    return token


def is_configured(target: str) -> bool:
    return (
        bool(settings.REMOTE_STATS_TOKEN) or RemoteCredential.objects.filter(target=target).exists()
    )


def stored_targets() -> list[str]:
    """Every target some client has a remote token for."""
    return list(
        RemoteCredential.objects.order_by("target").values_list("target", flat=True).distinct()
    )


def targets_to_check(target: str | None) -> list[str]:
    """`--target`, or REMOTE_STATS_SERVER and every target with a stored token."""
    if target:
        return [normalise_target(target)]
    return sorted({default_target(), *stored_targets()})


def require_matching_target(target: str) -> None:
    """TargetMismatch when no token is stored for `target` but some are for other targets (a
    token set without --target for a push with it, or the other way round); a fresh instance
    with no token anywhere passes (the push then says sharing is not configured)."""
    if settings.REMOTE_STATS_TOKEN:
        return
    stored = stored_targets()
    if not stored or target in stored:
        return
    default = default_target()
    how = f"pass --target {stored[0]}" if target == default else "drop --target (or fix its URL)"
    raise TargetMismatch(
        f"No remote token is stored for {target}, only for {', '.join(stored)}. Either {how}, "
        f"or set the tokens for this target: sharing_token_set --client <uuid> --target {target}. "
        f"Without --target, every sharing command uses REMOTE_STATS_SERVER ({default})."
    )
