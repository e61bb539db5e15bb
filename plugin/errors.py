"""The plugin's own exceptions: one base for the service layer, one type for refused fields.

Views catch ``FieldErrors`` to show each message beside its field, and ``AmazonTRError``
for everything else the services refuse in Turkish; the SP-API client has its own
family (``spapi.errors``), which services translate with ``services.messages``.
"""
from __future__ import annotations


class AmazonTRError(Exception):
    """Something the plugin refuses or cannot do, with a reason an admin can read."""


class FieldErrors(AmazonTRError, ValueError):
    """One or more values were refused; ``errors`` maps a field name to a Turkish message."""

    def __init__(self, errors: dict) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class InvalidSettings(FieldErrors):
    """A store's or a sync's settings were refused as given (nothing was saved)."""
