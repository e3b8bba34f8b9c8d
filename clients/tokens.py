"""Client tokens: generated high-entropy, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def generate_token() -> str:
    """86 URL-safe characters, like the original service's tokens, never starting with "-" (a
    token pasted after `--token` on a command line would read as an option)."""
    while True:
        token = secrets.token_urlsafe(64)
        if not token.startswith("-"):
            return token


def hash_token(token: str) -> str:
    # Tokens are high-entropy secrets, so a fast unsalted digest is enough: there is nothing to
    # brute-force, and a deterministic digest lets us find the client with one indexed lookup.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)
