"""Dates and money as a Turkish reader expects them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from ..i18n import current_locale
from ..spapi.constants import MARKETPLACE_TZ as SHOP_TZ



def _babel_locale() -> str:
    return "tr_TR" if current_locale() == "tr" else "en_GB"


def datetime_tr(value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_datetime(value, "d MMM y HH:mm", tzinfo=SHOP_TZ, locale=_babel_locale())


def date_tr(value: datetime | None) -> str:
    if value is None:
        return "—"
    return format_date(value, "d MMMM y", locale=_babel_locale())


#: "189,90 ₺": the amount first and the lira sign after it, as Turkish shops write prices
#: (Babel's tr_TR pattern puts the sign first).
TRY_PATTERN = "#,##0.00\u00a0¤"


def money_try(value: Decimal | str | None) -> str:
    if value is None:
        return "—"
    return format_currency(Decimal(value), "TRY", format=TRY_PATTERN, locale=_babel_locale(),
                           currency_digits=False)
