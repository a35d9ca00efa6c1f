"""Token encryption at rest: MultiFernet (first key encrypts, every key decrypts).

Fernet has no associated data, so the account id goes *inside* the plaintext and is checked
on decryption: a ciphertext copied into another account's row is refused.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from payjournal.visma import TokenSet

#: A stored ciphertext as the database hands it back: bytes (SQLite), memoryview (PostgreSQL).
Ciphertext = bytes | memoryview


class TokenDecryptionError(RuntimeError):
    """The ciphertext does not open with any configured key, or belongs to another account."""


def _cipher() -> MultiFernet:
    keys = settings.PAYJOURNAL_TOKEN_KEYS
    if not keys:
        raise TokenDecryptionError("no token keys configured (PAYJOURNAL_TOKEN_KEYS)")
    return _cipher_of(tuple(keys))


@functools.lru_cache(maxsize=4)
def _cipher_of(keys: tuple[str, ...]) -> MultiFernet:
    """The cipher of ``keys``, built once per set of keys (every Visma call decrypts tokens;
    the keys are read from the settings each time, so a rotation takes effect at once)."""
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_tokens(account_id: int, tokens: TokenSet) -> bytes:
    plaintext = {
        "cid": account_id,
        "at": tokens.access_token,
        "rt": tokens.refresh_token,
        "exp": tokens.expires_at.isoformat(),
        "scope": tokens.scope,
    }
    return _cipher().encrypt(json.dumps(plaintext).encode())


def decrypt_tokens(account_id: int, ciphertext: Ciphertext) -> TokenSet:
    try:
        data = json.loads(_cipher().decrypt(bytes(ciphertext)))
    except InvalidToken as exc:
        raise TokenDecryptionError(
            "token ciphertext does not open with the configured keys"
        ) from exc
    if data.get("cid") != account_id:
        raise TokenDecryptionError("token ciphertext belongs to another account")
    return TokenSet(
        access_token=data["at"],
        refresh_token=data["rt"],
        expires_at=datetime.fromisoformat(data["exp"]),
        scope=data["scope"],
    )


def rotate(ciphertext: Ciphertext) -> bytes:
    """Re-encrypt under the first (newest) key."""
    try:
        return _cipher().rotate(bytes(ciphertext))
    except InvalidToken as exc:
        raise TokenDecryptionError(
            "token ciphertext does not open with the configured keys"
        ) from exc


def seal(context: str, secret: str) -> bytes:
    """Encrypt another secret (a webhook endpoint's signing secret) under the token keys;
    ``context`` (e.g. ``webhook:12``) goes inside, so a ciphertext copied elsewhere is refused."""
    return _cipher().encrypt(json.dumps({"ctx": context, "s": secret}).encode())


def unseal(context: str, ciphertext: Ciphertext) -> str:
    """The secret :func:`seal` encrypted for ``context``."""
    try:
        data = json.loads(_cipher().decrypt(bytes(ciphertext)))
    except InvalidToken as exc:
        raise TokenDecryptionError("ciphertext does not open with the configured keys") from exc
    if data.get("ctx") != context:
        raise TokenDecryptionError("ciphertext belongs to another record")
    return str(data["s"])
