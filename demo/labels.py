"""The demo shop's own codes and numbers in Turkish: order states, sources, who ships, money, dates."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_decimal

SHOP_TZ = ZoneInfo("Europe/Istanbul")

ORDER_STATES = {
    "new": "Yeni", "pending": "Beklemede (stok ayrıldı)", "ready": "Kargoya hazır",
    "partially_shipped": "Kısmen kargolandı", "shipped": "Kargolandı", "cancelled": "İptal edildi",
}
SOURCES = {"web": "Web sitesi", "amazon": "Amazon"}
CHANNELS = {"merchant": "Satıcı gönderiyor", "amazon": "Amazon gönderiyor (FBA)"}


def _named(table: dict, code: str | None) -> str:
    if not code:
        return "—"
    return table.get(code, f"bilinmeyen ({code})")


def order_state(code: str | None) -> str:
    return _named(ORDER_STATES, code)


def source(code: str | None) -> str:
    return _named(SOURCES, code)


def channel(code: str | None) -> str:
    return _named(CHANNELS, code)


def money_tr(value: Decimal | None) -> str:
    """189,90 ₺: the amount first, the lira sign after it."""
    if value is None:
        return "—"
    return format_decimal(Decimal(value), "#,##0.00", locale="tr_TR") + "\u00a0₺"


def datetime_tr(value: datetime | None) -> str:
    """A moment in Türkiye's time, Turkish month names (the demo keeps naive UTC in SQLite)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return format_datetime(value, "d MMM y HH:mm", tzinfo=SHOP_TZ, locale="tr_TR")


FILTERS = {"order_state": order_state, "source": source, "channel": channel, "money_tr": money_tr,
           "datetime_tr": datetime_tr}
