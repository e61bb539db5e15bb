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
        self._newest = None
        self._readable: dict[str, bool] = {}
        if keys:
            try:
                fernets = [Fernet(k) for k in keys]
                self._fernet = MultiFernet(fernets)
                self._newest = fernets[0]
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

    def readable(self, token: str | None) -> bool:
        """Whether one of the configured keys decrypts ``token`` (False without any key).

        Remembered per value: the store list asks for every store on every page.
        """
        if not token:
            return True
        known = self._readable.get(token)
        if known is None:
            try:
                self.decrypt(token)
                known = True
            except (DecryptionFailed, EncryptionKeyMissing):
                known = False
            if len(self._readable) > 4096:
                self._readable.clear()
            self._readable[token] = known
        return known

    def is_newest(self, token: str) -> bool:
        """Encrypted under the newest key (the first of AMAZON_TR_ENCRYPTION_KEY)."""
        self._require()
        try:
            self._newest.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same value encrypted under the newest key; DecryptionFailed when no configured key reads it."""
        try:
            return self._require().rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken as exc:
            raise DecryptionFailed("stored value cannot be decrypted with the configured keys") from exc
