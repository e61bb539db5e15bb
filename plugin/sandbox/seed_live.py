"""A seller who already sells on Amazon: existing offers the plugin's first push must not break.

Most shops installing the plugin already sell on Amazon.com.tr (issue 13). Their listings carry
more than the shop knows: a price (purchasable_offer, sometimes with a B2B offer beside the
consumer one), stock with a handling time (fulfillment_availability DEFAULT with
lead_time_to_ship_max_days), a shipping template (merchant_shipping_group) and a condition.
Some SKUs are fulfilled by Amazon (FBA): their fulfillment_availability names Amazon's channel
(AMAZON_EU for the European marketplaces, Amazon.com.tr included) and no merchant quantity;
Amazon reports the quantity in its warehouses. Attribute shapes follow Amazon's listing
attributes as the Listings Items docs show them ("Manage Amazon Haul, Advanced Multiple-Offer,
and Multiple-Fulfillment Use Cases": audience ALL / B2B offers, DEFAULT / AMAZON_* channels).

Nothing here runs unless asked (the control API's POST /_sandbox/live-seller, or a test): the
default seed the other tests rely on is unchanged.
"""
from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from .seed import _PRODUCTS, TR_SELLER_ID, _ean13, add_catalog_item, iso

if TYPE_CHECKING:  # pragma: no cover
    from .state import SandboxState

#: The first 12 digits the live seller's EANs count up from: Türkiye's GS1 prefix 869, away from
#: the seeded catalog's 86912340... and the demo shop's 869000...
DEFAULT_EAN_START = 869_777_000_000
FBA_CHANNEL = "AMAZON_EU"


def live_ean(i: int, ean_start: int = DEFAULT_EAN_START) -> str:
    """The EAN of the live seller's ``i``-th offer (1-based), so a test shop can carry the same."""
    return _ean13(f"{ean_start + i:012d}")


def live_sku(i: int, offers: int, sku_prefix: str = "LIVE-") -> str:
    return f"{sku_prefix}{i:0{max(5, len(str(offers)))}d}"


def _code(prefix: str, text: str, length: int) -> str:
    return prefix + hashlib.sha1(text.encode()).hexdigest()[:length].upper()


def seed_live_seller(state: "SandboxState", *, offers: int = 1000, fba: int = 50,
                     seller_id: str = TR_SELLER_ID, sku_prefix: str = "LIVE-",
                     ean_start: int = DEFAULT_EAN_START) -> dict:
    """Give ``seller_id`` ``offers`` existing listings, ``fba`` of them fulfilled by Amazon.

    SKUs are ``LIVE-00001``..., EANs :func:`live_ean`; each has a catalog page (so a search by
    EAN finds it) and distinct created/updated times spread over the past year, as a real
    account's are. Returns the seller, the counts, the FBA SKUs and each SKU's EAN.
    """
    offers, fba = int(offers), int(fba)
    if offers < 0 or not 0 <= fba <= offers:
        raise ValueError("offers must be 0 or more and fba between 0 and offers")
    if seller_id not in state.sellers:
        raise ValueError(f"unknown seller {seller_id!r}")
    marketplace = state.sellers[seller_id]["marketplaces"][0]
    rng = random.Random(f"{seller_id}/{sku_prefix}/{ean_start}")
    now = state.clock.now()
    spacing = max(1, (360 * 86400) // max(offers, 1))
    first = now - timedelta(days=400)
    step = offers // fba if fba else 0
    fba_at = {step * k for k in range(1, fba + 1)}
    eans: dict[str, str] = {}
    fba_skus: list[str] = []
    with state.lock:
        listings = state.listings.setdefault(seller_id, {})
        for i in range(1, offers + 1):
            sku, ean = live_sku(i, offers, sku_prefix), live_ean(i, ean_start)
            title, brand, ptype, base = _PRODUCTS[i % len(_PRODUCTS)]
            price = round(float(base) * (1 + (i % 7) / 10), 2)
            asin = _code("B0", f"{seller_id}/{ean}", 8)
            add_catalog_item(state, ean=ean, title=f"{title} (Model {i})", asin=asin, sku=sku, brand=brand,
                             product_type=ptype, price=f"{price:.2f}")
            tag = {"marketplace_id": marketplace}
            attrs: dict = {
                "condition_type": [{"value": "used_like_new" if i % 25 == 0 else "new_new", **tag}],
                "item_name": [{"value": f"{title} (Model {i})", "language_tag": "tr_TR", **tag}],
                "brand": [{"value": brand, "language_tag": "tr_TR", **tag}],
                "merchant_suggested_asin": [{"value": asin, **tag}],
                "externally_assigned_product_identifier": [{"type": "ean", "value": ean, **tag}],
                "purchasable_offer": [{"audience": "ALL", "currency": "TRY", **tag,
                                       "our_price": [{"schedule": [{"value_with_tax": price}]}]}],
            }
            if i % 4 == 0:  # a business price beside the consumer one
                attrs["purchasable_offer"].append({
                    "audience": "B2B", "currency": "TRY", **tag,
                    "our_price": [{"schedule": [{"value_with_tax": round(price * 0.9, 2)}]}],
                    "quantity_discount_plan": [{"schedule": [{"discount_type": "percent", "levels": [
                        {"lower_bound": 10, "value": 5}]}]}]})
            listing: dict = {"sku": sku, "seller": seller_id, "productType": ptype, "asin": asin, "issues": []}
            if i in fba_at:
                attrs["fulfillment_availability"] = [{"fulfillment_channel_code": FBA_CHANNEL}]
                listing.update(fbaQuantity=rng.randint(1, 80), fnSku=_code("X00", f"{seller_id}/{sku}", 7))
                fba_skus.append(sku)
            else:
                attrs["fulfillment_availability"] = [{
                    "fulfillment_channel_code": "DEFAULT", "quantity": 0 if i % 20 == 0 else rng.randint(1, 60),
                    "lead_time_to_ship_max_days": rng.randint(1, 5)}]
                attrs["merchant_shipping_group"] = [{"value": f"sandbox-template-{1 + i % 3}", **tag}]
            created = first + timedelta(seconds=i * spacing)
            updated = min(created + timedelta(seconds=rng.randint(0, 30 * 86400)), now - timedelta(hours=1))
            listing.update(attributes=attrs, createdDate=iso(created), lastUpdatedDate=iso(max(updated, created)))
            listings[sku] = listing
            eans[sku] = ean
        state.listings_changed()
    return {"sellerId": seller_id, "offers": offers, "fba": fba, "fbaSkus": fba_skus, "eans": eans}
