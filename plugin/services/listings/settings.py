"""A store's listing settings, the AMAZON_TR_* limits of a push, and why a store may send nothing."""
from __future__ import annotations

from decimal import Decimal

from ...config import setting
from ...errors import InvalidSettings
from ...i18n import lazy_gettext as _l
from ...models import ListingSettings, Store
from ...models.listings import PRICE_ROUNDINGS
from .. import session
from ..amazon import can_sync

# The patch/feed threshold and the feed deadlines are settings (config.DEFAULTS:
# AMAZON_TR_PATCH_THRESHOLD, AMAZON_TR_FEED_DEADLINE, AMAZON_TR_FEED_GRACE); the
# package's docstring says why 100 SKUs.

#: The price rule's bounds. With the markup at -90 % or more and a fixed amount of zero or more,
#: no shop price above zero can reach Amazon as zero or less (issue: a -100 % rule sent 0,00 ₺).
MARKUP_MIN, MARKUP_MAX = Decimal("-90"), Decimal("1000")
FIXED_MIN, FIXED_MAX = Decimal("0"), Decimal("100000")
#: Stock buffer and maximum quantity: whole numbers up to this.
QUANTITY_MAX = 1_000_000
PRODUCT_TYPE_MAX = 100

BLOCKED_REASONS = {
    "passive": _l("The store is passive: nothing is sent to Amazon."),
    "unauthorized": _l("The store is not authorized with Amazon: nothing is sent."),
    "product_update_off": _l("Product update is off for this store: nothing is sent to Amazon."),
    "inventory_unread": _l("Your listings on Amazon have not been read yet: read them first (Amazon'daki mevcut "
                           "ilanlar), so that nothing you already sell there is overwritten."),
}


def get_settings(store_id: int) -> ListingSettings:
    found = session().get(ListingSettings, store_id)
    return found if found is not None else ListingSettings(
        store_id=store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
        fixed_amount=Decimal("0"), rounding="none", default_product_type=None, category_map_json="{}")


def save_settings(store_id: int, *, stock_buffer: int, max_quantity: int | None, markup_percent: Decimal,
                  fixed_amount: Decimal, rounding: str, default_product_type: str | None,
                  category_map: dict[str, str]) -> ListingSettings:
    """Save the store's product settings; raises InvalidSettings (nothing saved) for values out of bounds."""
    errors = settings_errors(stock_buffer=stock_buffer, max_quantity=max_quantity, markup_percent=markup_percent,
                             fixed_amount=fixed_amount, rounding=rounding)
    if errors:
        raise InvalidSettings(errors)
    row = session().get(ListingSettings, store_id) or ListingSettings(store_id=store_id)
    row.stock_buffer = int(stock_buffer)
    row.max_quantity = None if max_quantity is None else int(max_quantity)
    row.markup_percent = Decimal(markup_percent)
    row.fixed_amount = Decimal(fixed_amount)
    row.rounding = rounding
    row.default_product_type = (default_product_type or "").strip() or None
    row.category_map = {k: v.strip() for k, v in category_map.items() if v and v.strip()}
    session().add(row)
    session().commit()
    return row


def settings_errors(*, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"), fixed_amount=Decimal("0"),
                    rounding="none") -> dict:
    """Field -> Turkish message for every value a store's product settings may not take."""
    errors = {}
    if not 0 <= int(stock_buffer) <= QUANTITY_MAX:
        errors["stock_buffer"] = _l("Enter a whole number of zero or more.")
    if max_quantity is not None and not 0 <= int(max_quantity) <= QUANTITY_MAX:
        errors["max_quantity"] = _l("Enter a whole number of zero or more.")
    markup = Decimal(markup_percent)
    if not markup.is_finite() or not MARKUP_MIN <= markup <= MARKUP_MAX:
        errors["markup_percent"] = _l("The markup must be between %(low)s%% and %(high)s%%: a lower one could send "
                                      "your products to Amazon for nothing.", low=MARKUP_MIN, high=MARKUP_MAX)
    fixed = Decimal(fixed_amount)
    if not fixed.is_finite() or not FIXED_MIN <= fixed < FIXED_MAX:
        errors["fixed_amount"] = _l("The fixed amount must be zero or more (at most %(high)s TRY); for a discount, "
                                    "enter a negative markup.", high=FIXED_MAX)
    if rounding not in PRICE_ROUNDINGS:
        errors["rounding"] = _l("Choose one of the rounding options.")
    return errors


def feed_deadline() -> float:
    """Seconds Amazon may sit on a feed before its SKUs are sent again."""
    return float(setting("AMAZON_TR_FEED_DEADLINE"))


def feed_grace() -> float:
    """How long a createFeed whose answer was lost may take to show up in getFeeds."""
    return float(setting("AMAZON_TR_FEED_GRACE"))


def patch_threshold() -> int:
    """Up to this many changed SKUs go one patch each, more in a feed."""
    return int(setting("AMAZON_TR_PATCH_THRESHOLD"))


def blocked_reason(store: Store) -> str | None:
    """Why nothing may be sent for this store now, or None."""
    if not store.active:
        return "passive"
    if not can_sync(store):
        return "unauthorized"
    if not store.product_update:
        return "product_update_off"
    return None
