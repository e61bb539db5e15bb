"""What a shop product becomes on Amazon: attributes per part, the store's rules, digests.

Pure functions, no Flask and no database: the push, the preview and the bench
all use them, so what is previewed is what is sent.

A listing has three parts the auto-update type chooses from:

- ``content``: item_name, brand, product_description, bullet_point, main_product_image_locator
- ``price``: purchasable_offer (TRY)
- ``stock``: fulfillment_availability

Identity attributes (condition_type, merchant_suggested_asin,
externally_assigned_product_identifier) are sent only when a link is created.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ...spapi import MARKETPLACE_ID_TR

MARKETPLACE = MARKETPLACE_ID_TR
LANGUAGE = "tr_TR"
CURRENCY = "TRY"
CHANNEL = "DEFAULT"

CONTENT, PRICE, STOCK = "content", "price", "stock"

PART_ATTRIBUTES = {
    CONTENT: ("item_name", "brand", "product_description", "bullet_point", "main_product_image_locator"),
    PRICE: ("purchasable_offer",),
    STOCK: ("fulfillment_availability",),
}
CONTENT_ATTRIBUTES = frozenset(PART_ATTRIBUTES[CONTENT]) | {
    # Amazon may name other catalog attributes in a content refusal.
    "manufacturer", "model_name", "color", "size", "material", "item_type_keyword", "generic_keyword",
    "other_product_image_locator_1",
}

#: Ürün Otomatik Güncelleme Tipi -> the parts it sends. Nothing else is ever sent.
TYPE_PARTS: dict[str, tuple[str, ...]] = {
    "all": (CONTENT, PRICE, STOCK),
    "product_info": (CONTENT,),
    "price": (PRICE,),
    "stock": (STOCK,),
    "stock_price": (PRICE, STOCK),
}

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rules:
    """A store's listing settings in a form the hot loop can use."""

    stock_buffer: int = 0
    max_quantity: int | None = None
    markup_percent: Decimal = Decimal("0")
    fixed_amount: Decimal = Decimal("0")
    rounding: str = "none"

    @classmethod
    def from_settings(cls, settings) -> "Rules":
        if settings is None:
            return cls()
        return cls(
            stock_buffer=int(settings.stock_buffer or 0),
            max_quantity=settings.max_quantity,
            markup_percent=Decimal(settings.markup_percent or 0),
            fixed_amount=Decimal(settings.fixed_amount or 0),
            rounding=settings.rounding or "none",
        )


def apply_price_rule(price: Decimal, rules: Rules) -> Decimal:
    """Shop price -> Amazon price: markup %, then the fixed amount, then rounding up to .90, .99 or whole lira."""
    value = Decimal(price) * (Decimal(100) + rules.markup_percent) / Decimal(100) + rules.fixed_amount
    value = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if rules.rounding == "whole":
        value = value.to_integral_value(rounding=ROUND_CEILING).quantize(CENT)
    elif rules.rounding in ("90", "99"):
        ending = Decimal("0." + rules.rounding)
        candidate = value.to_integral_value(rounding=ROUND_FLOOR) + ending
        if candidate < value:
            candidate += 1
        value = candidate.quantize(CENT)
    return max(value, Decimal("0.00"))


def price_steps(price: Decimal, rules: Rules) -> list[tuple[str, Decimal]]:
    """The worked example shown under the price rule: each step and its result."""
    steps = [("shop", Decimal(price).quantize(CENT))]
    marked = (Decimal(price) * (Decimal(100) + rules.markup_percent) / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
    steps.append(("markup", marked))
    fixed = (marked + rules.fixed_amount).quantize(CENT)
    steps.append(("fixed", fixed))
    steps.append(("rounded", apply_price_rule(price, rules)))
    return steps


def apply_stock_rule(stock: int, rules: Rules) -> int:
    """Stock minus the buffer, never below 0, at most the maximum quantity when one is set."""
    quantity = max(0, int(stock or 0) - rules.stock_buffer)
    if rules.max_quantity is not None:
        quantity = min(quantity, max(0, rules.max_quantity))
    return quantity


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def content_key(product, product_type: str | None) -> str:
    bullets = "\x1e".join(product.bullet_points or ())
    return "\x1f".join((product_type or "", product.title or "", product.brand or "", product.description or "",
                        bullets, product.image_url or ""))


def part_digests(product, rules: Rules, product_type: str | None = None) -> dict[str, str]:
    """The digest of each part's value as it would be sent now."""
    price = apply_price_rule(product.price, rules)
    quantity = apply_stock_rule(product.stock, rules)
    return {
        CONTENT: _digest(content_key(product, product_type)),
        PRICE: _digest(f"{CURRENCY}:{price}"),
        STOCK: _digest(f"{CHANNEL}:{quantity}"),
    }


def combined_digest(digests: dict[str, str]) -> str:
    return _digest("|".join(f"{k}={digests[k]}" for k in sorted(digests)))


def _text(value: str) -> list[dict]:
    return [{"value": value, "language_tag": LANGUAGE, "marketplace_id": MARKETPLACE}]


def part_attributes(part: str, product, rules: Rules) -> dict:
    """The Listings attributes of one part for this product (JSON-ready; money as a number at the edge)."""
    if part == PRICE:
        price = apply_price_rule(product.price, rules)
        return {"purchasable_offer": [{
            "marketplace_id": MARKETPLACE, "currency": CURRENCY,
            # JSON has no decimal type: a 2-decimal Decimal converts to float and back exactly.
            "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
        }]}
    if part == STOCK:
        return {"fulfillment_availability": [{"fulfillment_channel_code": CHANNEL,
                                              "quantity": apply_stock_rule(product.stock, rules)}]}
    if part == CONTENT:
        attrs: dict = {}
        if product.title:
            attrs["item_name"] = _text(product.title)
        if product.brand:
            attrs["brand"] = _text(product.brand)
        if product.description:
            attrs["product_description"] = _text(product.description)
        if product.bullet_points:
            attrs["bullet_point"] = [{"value": b, "language_tag": LANGUAGE, "marketplace_id": MARKETPLACE}
                                     for b in product.bullet_points if b]
        if product.image_url:
            attrs["main_product_image_locator"] = [{"media_location": product.image_url,
                                                    "marketplace_id": MARKETPLACE}]
        return attrs
    raise ValueError(f"unknown part {part!r}")


def identity_attributes(product, asin: str | None) -> dict:
    attrs = {"condition_type": [{"value": "new_new", "marketplace_id": MARKETPLACE}]}
    if asin:
        attrs["merchant_suggested_asin"] = [{"value": asin, "marketplace_id": MARKETPLACE}]
    if product.ean:
        attrs["externally_assigned_product_identifier"] = [
            {"type": "ean", "value": product.ean, "marketplace_id": MARKETPLACE}]
    return attrs


def sendable_parts(parts, *, amazon_fulfilled: bool) -> tuple[str, ...]:
    """The parts that may go to an SKU: never stock to one Amazon ships (FBA), whose quantity is Amazon's."""
    return tuple(part for part in parts if not (part == STOCK and amazon_fulfilled))


#: Amazon takes an SKU in a URL path only up to 40 characters and without "/" or "#" (which it
#: refuses even percent-encoded, as integrators report): such SKUs go in a JSON_LISTINGS_FEED,
#: where the SKU travels in the body.
PATH_SKU_MAX = 40


def sku_fits_a_path(sku: str) -> bool:
    return len(sku) <= PATH_SKU_MAX and "/" not in sku and "#" not in sku


def patches_for(parts, product, rules: Rules) -> list[dict]:
    """JSON Patch operations on top-level attributes only (Amazon allows nothing deeper)."""
    patches = []
    for part in parts:
        for name, value in part_attributes(part, product, rules).items():
            patches.append({"op": "replace", "path": f"/attributes/{name}", "value": value})
    return patches


def refused_attribute(issue: dict) -> str | None:
    """The top-level attribute an issue is about (Listings: attributeNames; feed report: attributeName)."""
    names = issue.get("attributeNames") or ([issue["attributeName"]] if issue.get("attributeName") else [])
    for name in names:
        return str(name).split(".", 1)[0]
    return None
