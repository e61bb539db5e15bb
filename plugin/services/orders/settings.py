"""Each store's order import settings: the shop's order number prefix, the unknown SKU policy, the cursor row."""
from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

from ...config import setting
from ...errors import InvalidSettings
from ...i18n import lazy_gettext as _l
from ...models import OrderImportSettings
from ...models.orders import UNKNOWN_SKU_POLICIES
from .. import session

DEFAULT_PREFIX = "AMZ-"
PREFIX_MAX = 20
PREFIX_CHARS = re.compile(r"^[0-9A-Za-z_\-/.#]*$")


def settings_for(store_id: int, *, create: bool = True) -> OrderImportSettings | None:
    db = session()
    settings = db.get(OrderImportSettings, store_id)
    if settings is None and create:
        settings = OrderImportSettings(store_id=store_id, unknown_sku="skip")
        db.add(settings)
        try:
            db.commit()
        except IntegrityError:  # made by a concurrent importer a moment ago
            db.rollback()
            settings = db.get(OrderImportSettings, store_id)
    return settings


def default_prefix() -> str:
    value = setting("AMAZON_TR_ORDER_PREFIX")
    return DEFAULT_PREFIX if value is None else str(value)


def prefix_of(settings: OrderImportSettings | None) -> str:
    if settings is not None and settings.number_prefix is not None:
        return settings.number_prefix
    return default_prefix()


def prefix_error(prefix: str):
    """None when ``prefix`` (already stripped) may start the shop's order numbers, else why not."""
    if len(prefix) > PREFIX_MAX or not PREFIX_CHARS.match(prefix):
        return _l("Use up to 20 letters (A–Z), digits and - _ / . # for the prefix.")
    return None


def unknown_sku_error(policy: str):
    """None for a known unknown-SKU policy, else the message."""
    if policy not in UNKNOWN_SKU_POLICIES:
        return _l("Choose what happens to orders with an unknown stock code.")
    return None


def save_settings(store_id: int, *, number_prefix: str | None, unknown_sku: str) -> OrderImportSettings:
    """The store's prefix ('' for none, None for the configured default) and unknown SKU policy."""
    errors = {}
    if number_prefix is not None:
        number_prefix = number_prefix.strip()
        if (reason := prefix_error(number_prefix)) is not None:
            errors["number_prefix"] = reason
    if (reason := unknown_sku_error(unknown_sku)) is not None:
        errors["unknown_sku"] = reason
    if errors:
        raise InvalidSettings(errors)
    settings = settings_for(store_id)
    settings.number_prefix = number_prefix
    settings.unknown_sku = unknown_sku
    session().commit()
    return settings
