"""What every part of an order's mapping checks: the refusal with its Turkish reason, times, objects, text.

Pure functions, no Flask or database: mapping (lines and money) and details (ship-by,
cancellation requests, invoice data) both build on them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from ...i18n import lazy_gettext as _l

#: Names, address lines, phones, titles, tax numbers: text, and no longer than this.
MAX_TEXT_LENGTH = 1000


class OrderShapeError(ValueError):
    """An order the shop must not take as it is: missing what every order has, or values out of shape.

    ``str(exc)`` is English for the log and holds no buyer data; ``reason`` is
    the lazy message for the admin (what the history page shows).
    """

    def __init__(self, text: str, reason=None, *, field: str | None = None) -> None:
        super().__init__(text)
        self.reason = reason if reason is not None else _l(
            "The order from Amazon has an unexpected shape (%(field)s).", field=(field or text)[:80])


class UnknownStatus(OrderShapeError):
    """A fulfillment status the plugin does not know (Amazon added one): the order waits for the next run."""


def shown(value) -> str:
    """A short, safe picture of a bad value for the reason text (amounts, quantities, SKUs only)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 24 else text[:23] + "…"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def time_field(data: dict, key: str, required: bool, *, label: str | None = None) -> datetime | None:
    """``data[key]`` as a UTC date-time; a missing optional one is None, anything else not a date refuses the order."""
    field = label or key
    value = data.get(key)
    if value is None and not required:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(field)
        parsed = parse_time(value)
        if parsed is None:
            raise ValueError(field)
        return parsed
    except (TypeError, ValueError, OverflowError):
        raise OrderShapeError(f"{field} is not a date-time", _l(
            "The time %(field)s from Amazon is not a valid date.", field=field)) from None


def as_object(value, field: str) -> dict:
    """``value`` when it is an object, {} when absent; anything else refuses the order."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise OrderShapeError(f"{field} is not an object", field=field)
    return value


def as_list(value, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise OrderShapeError(f"{field} is not a list", field=field)
    return value


def as_text(value, field: str, reason) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH:
        raise OrderShapeError(f"{field} is not text", reason)
    return value
