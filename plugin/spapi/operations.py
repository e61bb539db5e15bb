"""What every group of operations (one per Amazon API) is built on."""
from __future__ import annotations

from typing import Any, Protocol

from .transport import Transport


class Caller(Protocol):
    """Whom the operations act for: the client gives its transport, seller and marketplace."""

    transport: Transport
    seller_id: str | None
    marketplace_id: str
    issue_locale: str | None


class Operations:
    """One Amazon API's operations, sent through the caller's transport."""

    def __init__(self, caller: Caller) -> None:
        self._caller = caller

    def _request(self, method: str, path: str, *, operation: str, params: dict[str, Any] | None = None,
                 body: Any = None) -> dict:
        return self._caller.transport.request(method, path, operation=operation, params=params, body=body)
