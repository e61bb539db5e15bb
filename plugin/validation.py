"""Rules for every value a person or Amazon hands us, shared by forms, services and CLI.

Each function returns the normalized value or raises ``InvalidValue`` with a
message id that the caller translates.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .i18n import lazy_gettext as _l

NAME_MAX = 100
URL_MAX = 500
AUTO_UPDATE_TYPES = ("all", "product_info", "price", "stock", "stock_price")
STORE_URL_HOSTS = ("amazon.com.tr", "www.amazon.com.tr")
#: A Seller ID (selling_partner_id): "A" and 12 to 14 capitals or digits, as Seller Central shows it.
SELLER_ID_PATTERN = re.compile(r"A[A-Z0-9]{12,14}")
_ASCII_LOWER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class InvalidValue(ValueError):
    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def _has_control_chars(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"} for ch in value)


def store_name(value) -> str:
    name = (value or "").strip()
    if not name:
        raise InvalidValue(_l("Enter a name for the store, e.g. My Amazon Store."))
    if len(name) > NAME_MAX:
        raise InvalidValue(_l("The store name may be at most %(max)d characters.", max=NAME_MAX))
    if _has_control_chars(name):
        raise InvalidValue(_l("The store name contains invisible control characters; type it again."))
    return name


def seller_id(value) -> str:
    # Turkish dotless ı and dotted İ must not turn into I: only ASCII letters are uppercased.
    code = re.sub(r"\s+", "", value or "").translate(_ASCII_LOWER)
    if not code:
        raise InvalidValue(
            _l("Enter your Seller ID. You find it in Seller Central (sellercentral.amazon.com.tr) under Account Info → Seller ID.")
        )
    if not SELLER_ID_PATTERN.fullmatch(code):
        raise InvalidValue(
            _l("A Seller ID is an A followed by 12 to 14 capital letters or digits, e.g. A1B2C3D4E5F6G7. Copy it from Seller Central (sellercentral.amazon.com.tr) under Account Info → Seller ID.")
        )
    return code


def store_url(value) -> str | None:
    url = (value or "").strip()
    if not url:
        return None
    if len(url) > URL_MAX:
        raise InvalidValue(_l("The store address may be at most %(max)d characters.", max=URL_MAX))
    if _has_control_chars(url) or any(ch.isspace() for ch in url):
        raise InvalidValue(_l("The store address must not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidValue(_l("The store address is not a valid link.")) from None
    if parts.scheme.lower() != "https":
        raise InvalidValue(
            _l("The store address must start with https:// and lead to amazon.com.tr, e.g. https://www.amazon.com.tr/s?me=A1B2C3D4E5F6G7.")
        )
    host = (parts.hostname or "").lower()
    if host not in STORE_URL_HOSTS or port is not None or parts.username or parts.password:
        raise InvalidValue(
            _l("The store address must be a page on amazon.com.tr, e.g. https://www.amazon.com.tr/s?me=A1B2C3D4E5F6G7.")
        )
    return url


def auto_update_type(value) -> str:
    if value not in AUTO_UPDATE_TYPES:
        raise InvalidValue(_l("Choose one of the listed update types."))
    return value
