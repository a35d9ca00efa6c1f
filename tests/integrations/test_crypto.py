"""Token encryption at rest (:mod:`payjournal.integrations.crypto`): the cipher is built once per
set of keys, and a change of the keys in the settings takes effect at the next call."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from payjournal.integrations import crypto
from payjournal.integrations.crypto import TokenDecryptionError, decrypt_tokens, encrypt_tokens
from payjournal.visma import TokenSet

TOKENS = TokenSet(
    access_token="access", refresh_token="refresh", expires_at=datetime(2026, 11, 28, tzinfo=UTC)
)


def test_a_new_first_key_encrypts_and_the_old_one_still_decrypts() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(PAYJOURNAL_TOKEN_KEYS=[old]):
        sealed_under_old = encrypt_tokens(7, TOKENS)
    with override_settings(PAYJOURNAL_TOKEN_KEYS=[new, old]):
        sealed_under_new = encrypt_tokens(7, TOKENS)
        assert decrypt_tokens(7, sealed_under_old) == TOKENS
    with override_settings(PAYJOURNAL_TOKEN_KEYS=[new]):
        assert decrypt_tokens(7, sealed_under_new) == TOKENS
        with pytest.raises(TokenDecryptionError):  # the old key is gone: at once, not cached
            decrypt_tokens(7, sealed_under_old)


def test_the_cipher_of_a_set_of_keys_is_built_once() -> None:
    key = Fernet.generate_key().decode()
    with override_settings(PAYJOURNAL_TOKEN_KEYS=[key]):
        sealed = encrypt_tokens(7, TOKENS)
        before = crypto._cipher_of.cache_info()
        for _ in range(3):
            decrypt_tokens(7, sealed)
        after = crypto._cipher_of.cache_info()
    assert after.hits - before.hits == 3 and after.misses == before.misses


def test_no_keys_is_a_clear_error() -> None:
    with override_settings(PAYJOURNAL_TOKEN_KEYS=[]), pytest.raises(TokenDecryptionError):
        encrypt_tokens(7, TOKENS)
