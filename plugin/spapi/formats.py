"""How values are written into SP-API URLs: dates, path segments, lists, query strings."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable
from urllib.parse import quote, urlencode


def format_datetime(value: datetime | date | str) -> str:
    """ISO 8601 with seconds and an offset, as Amazon's date-time parameters expect."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive datetime could be local time or UTC; guessing would shift
            # an order window by hours without anyone noticing.
            raise ValueError("naive datetime: give a timezone-aware datetime (e.g. tzinfo=timezone.utc)")
        text = value.replace(microsecond=0).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    raise TypeError(f"cannot format {type(value).__name__} as a date-time")


def parse_datetime(value: str) -> datetime:
    """Amazon's ISO 8601 date-time (``2026-12-01T10:00:00Z`` or with an offset), timezone-aware.

    Raises ValueError for anything else, a date-time without an offset included.
    """
    parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"date-time without an offset: {value!r}")
    return parsed


def quote_segment(value: str) -> str:
    """One URL path segment; seller SKUs may hold slashes, spaces and Turkish letters."""
    return quote(str(value), safe="")


def comma_list(values: Iterable[str] | str | None) -> str | None:
    """Amazon's list parameters are one comma-separated value; an empty list is no parameter."""
    if values is None:
        return None
    if isinstance(values, str):
        return values
    values = [str(v) for v in values]
    return ",".join(values) if values else None


def encode_query(params: dict[str, Any] | None) -> str:
    """The query string; ``None`` values are left out, lists and dates written Amazon's way."""
    if not params:
        return ""
    pairs = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (datetime, date)):
            value = format_datetime(value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple, set, frozenset)):
            value = comma_list(value)
            if value is None:
                continue
        pairs.append((name, str(value)))
    # Commas stay literal (Amazon's list separator); "+" in an offset and
    # "/" or ":" are percent-encoded.
    return urlencode(pairs, safe=",", quote_via=quote)
