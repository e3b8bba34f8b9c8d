"""Encryption at rest of the remote tokens this instance sends (RemoteCredential).

Those tokens must be sent in clear, so they cannot be hashed like our own clients' tokens.
Fernet (AES-CBC + HMAC) with a key derived from SHARING_TOKEN_KEY, or SECRET_KEY when unset,
keeps them unreadable in a database dump or backup that leaks without the environment.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class TokenUnreadable(Exception):
    """The stored token was encrypted with another key (SECRET_KEY or SHARING_TOKEN_KEY changed)."""


def _fernet() -> Fernet:
    secret = getattr(settings, "SHARING_TOKEN_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(b"statsservice.sharing.remote-token:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def decrypt_token(encrypted: str) -> str:
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken:
        raise TokenUnreadable(
            "the stored remote token cannot be decrypted (SECRET_KEY or SHARING_TOKEN_KEY "
            "changed?): set it again with sharing_token_set"
        ) from None
