"""A stored listing as Amazon shows it: getListingsItem, searchListingsItems and the feed report."""
from __future__ import annotations

import copy
from typing import Any

from .listings_rules import channel, first_value, visible_issues
from .state import SandboxState

_CONDITIONS = {"new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
               "used_very_good", "used_good", "used_acceptable", "collectible_like_new",
               "collectible_very_good", "collectible_good", "collectible_acceptable", "club_club"}


def _price(offer: Any) -> str | None:
    for price in (offer or {}).get("our_price") or []:
        for sched in (price or {}).get("schedule") or []:
            v = (sched or {}).get("value_with_tax")
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return f"{v:.2f}"
    return None


def offers(attrs: dict, marketplace_id: str) -> list[dict]:
    """One offer per purchasable_offer entry with a price; audience B2B is a B2B offer (the
    model's ItemOfferByMarketplace.offerType: B2C or B2B)."""
    out = []
    for offer in attrs.get("purchasable_offer") or []:
        price = _price(offer) if isinstance(offer, dict) else None
        if price is not None:
            out.append({"marketplaceId": marketplace_id,
                        "offerType": "B2B" if offer.get("audience") == "B2B" else "B2C",
                        "price": {"currencyCode": offer.get("currency") or "TRY", "amount": price}})
    return out


def fulfillment(listing: dict) -> list[dict]:
    """fulfillmentAvailability: the merchant's own quantity for DEFAULT; for Amazon's channels the
    quantity Amazon holds in its warehouses (``fbaQuantity``, which the seller cannot send)."""
    out = []
    for entry in listing["attributes"].get("fulfillment_availability") or []:
        if not isinstance(entry, dict):
            continue
        code = channel(entry)
        quantity = entry.get("quantity") if code == "DEFAULT" else listing.get("fbaQuantity", 0)
        out.append({"fulfillmentChannelCode": code, "quantity": int(quantity or 0)})
    return out


def status(listing: dict, issues: list[dict]) -> list[str]:
    """DISCOVERABLE with a catalog item (ASIN); BUYABLE with a B2C price and stock in some channel,
    unless an ERROR issue suppresses it (the model's LISTING_SUPPRESSED "takes down the current
    listing item's buyability"). Assumption: a new product is BUYABLE before it has an ASIN, as
    the sandbox does not model the ASIN Amazon's processing assigns to it."""
    out = ["DISCOVERABLE"] if listing.get("asin") else []
    stocked = any(f["quantity"] > 0 for f in fulfillment(listing))
    priced = any(o["offerType"] == "B2C" for o in offers(listing["attributes"], ""))
    if priced and stocked and not any(i.get("severity") == "ERROR" for i in issues):
        out.insert(0, "BUYABLE")
    return out


def visible(state: SandboxState, listing: dict | None) -> dict | None:
    """The listing as reads show it now: while Amazon is still processing an ACCEPTED submission, the
    version before it (None for a SKU that is new: getListingsItem answers 404 until then).

    ACCEPTED is "The listings submission was accepted for processing" (the model's
    ListingsItemSubmissionResponse.status); "Accepted does not mean the process is complete. Multiple
    downstream processes create the item in the Amazon catalog" ("Manage Listings Issues",
    developer-docs.amazon.com); integrators see getListingsItem answer 404 for an accepted new SKU
    (amzn/selling-partner-api-models#5021). How long processing takes is
    SandboxState.listing_processing_seconds (0 by default: at once, as the other tests expect)."""
    pending = (listing or {}).get("_processing")
    if pending is not None and state.now_ts() < pending["until"]:
        return pending["before"]
    return listing


def item_view(state: SandboxState, listing: dict, marketplace_id: str, included: list[str]) -> dict:
    attrs = listing["attributes"]
    issues = visible_issues(listing, state.now_ts())
    out: dict[str, Any] = {"sku": listing["sku"]}
    if "summaries" in included:
        summary: dict[str, Any] = {
            "marketplaceId": marketplace_id, "productType": listing["productType"],
            "conditionType": first_value(attrs, "condition_type") or "new_new",
            "status": status(listing, issues), "createdDate": listing["createdDate"],
            "lastUpdatedDate": listing["lastUpdatedDate"],
        }
        if summary["conditionType"] not in _CONDITIONS:
            summary["conditionType"] = "new_new"
        if listing.get("asin"):
            summary["asin"] = listing["asin"]
        if listing.get("fnSku"):
            summary["fnSku"] = listing["fnSku"]
        # "Name, or title, associated with an Amazon catalog item" (the model's itemName): a
        # brand-registry page shows its own title, whatever this seller sent
        item = state.catalog.get(listing.get("asin") or "")
        owner = item is not None and item.get("brandOwner") and item["brandOwner"] == listing.get("seller")
        locked = item is not None and (item.get("contentLocked") or item.get("rejectsConflicts")) and not owner
        name = item["title"] if locked else first_value(attrs, "item_name") or (item or {}).get("title")
        if name:
            summary["itemName"] = name
        out["summaries"] = [summary]
    if "attributes" in included:
        out["attributes"] = copy.deepcopy(attrs)
    if "issues" in included:
        out["issues"] = issues
    if "offers" in included:
        out["offers"] = offers(attrs, marketplace_id)
    if "fulfillmentAvailability" in included:
        out["fulfillmentAvailability"] = fulfillment(listing)
    if "procurement" in included:
        out["procurement"] = []
    if "relationships" in included:
        out["relationships"] = [{"marketplaceId": marketplace_id, "relationships": []}]
    if "productTypes" in included:
        out["productTypes"] = [{"marketplaceId": marketplace_id, "productType": listing["productType"]}]
    return out
