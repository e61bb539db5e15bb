"""Encryption at rest for sellers' credentials and buyers' personal data.

Fernet (AES-128-CBC with HMAC-SHA256) from ``cryptography``. Several keys may be
configured, newest first, so a key can be rotated without losing old values.
"""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import AmazonTRError


class EncryptionKeyMissing(AmazonTRError):
    """No AMAZON_TR_ENCRYPTION_KEY: nothing secret may be stored."""


class EncryptionKeyInvalid(AmazonTRError):
    """The key is not a Fernet key (32 url-safe base64 bytes)."""


class DecryptionFailed(AmazonTRError):
    """The value was encrypted with a key that is no longer configured."""


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


class Cipher:
    def __init__(self, keys: str | bytes | list | tuple | None) -> None:
        if isinstance(keys, bytes):
            keys = keys.decode("ascii")
        if isinstance(keys, str):
            keys = [k.strip() for k in keys.split(",") if k.strip()]
        keys = list(keys or [])
        self._fernet = None
        if keys:
            try:
                self._fernet = MultiFernet([Fernet(k) for k in keys])
            except (ValueError, TypeError) as exc:
                raise EncryptionKeyInvalid(
                    "AMAZON_TR_ENCRYPTION_KEY is not a valid Fernet key; create one with "
                    "`flask amazon generate-key`."
                ) from exc

    @property
    def available(self) -> bool:
        return self._fernet is not None

    def _require(self) -> MultiFernet:
        if self._fernet is None:
            raise EncryptionKeyMissing(
                "AMAZON_TR_ENCRYPTION_KEY is not set; secrets cannot be stored."
            )
        return self._fernet

    def encrypt(self, plaintext: str | None) -> str | None:
        if plaintext is None:
            return None
        return self._require().encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str | None) -> str | None:
        if token is None:
            return None
        try:
            return self._require().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise DecryptionFailed("stored value cannot be decrypted with the configured keys") from exc
