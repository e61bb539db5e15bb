"""Listings rules shared by the Listings Items API and JSON_LISTINGS_FEED.

Amazon checks a submission synchronously for its shape, stores the offer and
reports catalog-content conflicts as issues; we do the same on one seller's
in-memory listings.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .seed import CONTENT_ATTRIBUTES, iso
from .state import SandboxState

OFFER_ATTRIBUTES = frozenset({"purchasable_offer", "fulfillment_availability", "condition_type",
                              "condition_note", "list_price", "merchant_release_date",
                              "merchant_shipping_group", "max_order_quantity", "skip_offer"})


@dataclass
class Outcome:
    status: str  # ACCEPTED | INVALID | VALID
    issues: list[dict] = field(default_factory=list)
    asin: str | None = None


class PatchPathError(ValueError):
    pass


def _issue(code: str, message: str, severity: str, attributes: list[str] | None = None,
           category: str = "INVALID_ATTRIBUTE") -> dict:
    out = {"code": code, "message": message, "severity": severity, "categories": [category]}
    if attributes:
        out["attributeNames"] = attributes
    return out


def _tr(locale: str | None) -> bool:
    return (locale or "").lower().startswith("tr")


def not_found_issue(sku: str, locale: str | None) -> dict:
    msg = (f"'{sku}' SKU'su için bir ürün kaydı yok; önce putListingsItem ile oluşturun."
           if _tr(locale) else
           f"There is no listing for SKU '{sku}'; create it with putListingsItem first.")
    return _issue("SKU_NOT_FOUND", msg, "ERROR", None, "INVALID_ATTRIBUTE")


def _missing(name: str, locale: str | None) -> dict:
    msg = (f"'{name}' zorunludur ancak gönderilmedi." if _tr(locale)
           else f"'{name}' is required but not supplied.")
    return _issue("90220", msg, "ERROR", [name], "MISSING_ATTRIBUTE")


def _shape_issues(attributes: dict, locale: str | None) -> list[dict]:
    issues = []
    for name, value in attributes.items():
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            msg = (f"'{name}' için verilen değer geçersiz: bir nesne dizisi olmalı." if _tr(locale)
                   else f"The value provided for '{name}' is invalid: it must be an array of objects.")
            issues.append(_issue("4000001", msg, "ERROR", [name]))
    for entry in attributes.get("fulfillment_availability") or []:
        if isinstance(entry, dict):
            q = entry.get("quantity")
            if q is not None and (not isinstance(q, int) or isinstance(q, bool) or q < 0):
                issues.append(_issue("99022", "'fulfillment_availability.quantity' must be a whole "
                                     "number of zero or more.", "ERROR",
                                     ["fulfillment_availability"]))
    for entry in attributes.get("purchasable_offer") or []:
        if not isinstance(entry, dict):
            continue
        for price in entry.get("our_price") or []:
            for sched in (price or {}).get("schedule") or []:
                v = (sched or {}).get("value_with_tax")
                if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                    issues.append(_issue("99022", "'purchasable_offer.our_price' needs a "
                                         "non-negative numeric value_with_tax.", "ERROR",
                                         ["purchasable_offer"]))
    return issues


def _catalog_item(state: SandboxState, attributes: dict, current: dict | None) -> dict | None:
    for entry in attributes.get("merchant_suggested_asin") or []:
        if isinstance(entry, dict) and entry.get("value") in state.catalog:
            return state.catalog[entry["value"]]
    for entry in attributes.get("externally_assigned_product_identifier") or []:
        if isinstance(entry, dict) and entry.get("value"):
            item = state.catalog_by_ean(str(entry["value"]))
            if item:
                return item
    if current and current.get("asin") in state.catalog:
        return state.catalog[current["asin"]]
    return None


def _locked_issue(name: str, asin: str, severity: str, locale: str | None) -> dict:
    msg = (f"{asin} ürün sayfasının içeriği marka sahibinin denetiminde; '{name}' için "
           f"gönderdiğiniz değer uygulanmadı. Teklif bilgileri (fiyat, stok) ayrıca işlenir."
           if _tr(locale) else
           f"The catalog content of {asin} is controlled by its brand owner; your value for "
           f"'{name}' was not applied. Offer data (price, quantity) is processed separately.")
    return _issue("8541", msg, severity, [name], "CONFLICTING_WITH_PRODUCT_DATA")


def _content_conflicts(item: dict | None, before: dict, after: dict) -> list[str]:
    if not item or not item.get("contentLocked"):
        return []
    return sorted(name for name in CONTENT_ATTRIBUTES
                  if name in after and after.get(name) != before.get(name))


def _finish(state: SandboxState, seller_id: str, sku: str, product_type: str, current: dict | None,
            new_attrs: dict, submitted: set[str], locale: str | None, preview: bool,
            required_issues: list[dict]) -> Outcome:
    issues = list(required_issues) + _shape_issues(new_attrs, locale)
    if any(i["severity"] == "ERROR" for i in issues):
        return Outcome("INVALID", issues)
    before = current["attributes"] if current else {}
    item = _catalog_item(state, new_attrs, current)
    conflicts = _content_conflicts(item, before, new_attrs)
    if conflicts:
        # Amazon keeps the brand's content and still takes the offer part
        offer_part = submitted - set(conflicts)
        severity = "WARNING" if offer_part else "ERROR"
        issues += [_locked_issue(n, item["asin"], severity, locale) for n in conflicts]
        if not offer_part:
            return Outcome("INVALID", issues, item["asin"])
        for name in conflicts:
            if name in before:
                new_attrs[name] = copy.deepcopy(before[name])
            else:
                new_attrs.pop(name, None)
    asin = item["asin"] if item else (current or {}).get("asin")
    if preview:
        return Outcome("VALID", issues, asin)
    now = iso(state.now())
    with state.lock:
        state.listings.setdefault(seller_id, {})[sku] = {
            "sku": sku, "productType": product_type, "asin": asin, "attributes": new_attrs,
            "createdDate": current["createdDate"] if current else now, "lastUpdatedDate": now,
            "issues": [i for i in issues if i["severity"] != "ERROR"],
        }
    return Outcome("ACCEPTED", issues, asin)


def put_listing(state: SandboxState, seller_id: str, sku: str, *, product_type: str,
                attributes: dict, requirements: str | None = None, locale: str | None = None,
                preview: bool = False, partial: bool = False) -> Outcome:
    """putListingsItem (or, with ``partial``, a feed PARTIAL_UPDATE)."""
    current = state.listings.get(seller_id, {}).get(sku)
    if partial:
        new_attrs = copy.deepcopy(current["attributes"]) if current else {}
        new_attrs.update(copy.deepcopy(attributes))
    else:
        new_attrs = copy.deepcopy(attributes)
    required: list[dict] = []
    offer_only = requirements == "LISTING_OFFER_ONLY"
    product_only = requirements == "LISTING_PRODUCT_ONLY"
    if not product_only and "condition_type" not in new_attrs:
        required.append(_missing("condition_type", locale))
    has_identity = any(k in new_attrs for k in ("merchant_suggested_asin",
                                                "externally_assigned_product_identifier"))
    if not has_identity and (offer_only or "item_name" not in new_attrs):
        required.append(_missing("merchant_suggested_asin", locale))
    if partial and current is None:
        required = [_missing("merchant_suggested_asin", locale)] if not has_identity else []
    return _finish(state, seller_id, sku, product_type, current, new_attrs, set(attributes),
                   locale, preview, required)


def patch_listing(state: SandboxState, seller_id: str, sku: str, *, product_type: str,
                  patches: list[dict], locale: str | None = None,
                  preview: bool = False) -> Outcome | None:
    """patchListingsItem; None when the SKU has no listing."""
    current = state.listings.get(seller_id, {}).get(sku)
    if current is None:
        return None
    attrs = copy.deepcopy(current["attributes"])
    touched: set[str] = set()
    for patch in patches:
        path = patch.get("path", "")
        parts = path.split("/")
        if len(parts) != 3 or parts[0] != "" or parts[1] != "attributes" or not parts[2]:
            raise PatchPathError(f"Invalid patch path '{path}': only top-level attributes "
                                 "(/attributes/<name>) can be patched.")
        name, op, value = parts[2], patch.get("op"), patch.get("value")
        touched.add(name)
        if op in ("add", "replace"):
            if value is None:
                raise PatchPathError(f"Patch '{op}' on '{path}' needs a value.")
            attrs[name] = copy.deepcopy(value)
        elif op == "merge":
            if value is None:
                raise PatchPathError(f"Patch 'merge' on '{path}' needs a value.")
            attrs[name] = _merge(attrs.get(name) or [], value)
        elif op == "delete":
            if value:
                keep = [v for v in attrs.get(name, []) if not any(_selects(d, v) for d in value)]
                if keep:
                    attrs[name] = keep
                else:
                    attrs.pop(name, None)
            else:
                attrs.pop(name, None)
    return _finish(state, seller_id, sku, product_type, current, attrs, touched, locale,
                   preview, [])


def _selects(selector: dict, value: dict) -> bool:
    keys = [k for k in ("marketplace_id", "language_tag") if k in selector]
    return all(selector.get(k) == value.get(k) for k in keys) if keys else selector == value


def _merge(existing: list, incoming: list) -> list:
    out = copy.deepcopy(existing)
    for new in incoming:
        for old in out:
            if isinstance(old, dict) and isinstance(new, dict) and \
                    old.get("marketplace_id") == new.get("marketplace_id") and \
                    old.get("language_tag") == new.get("language_tag"):
                old.update(copy.deepcopy(new))
                break
        else:
            out.append(copy.deepcopy(new))
    return out


def delete_listing(state: SandboxState, seller_id: str, sku: str) -> bool:
    with state.lock:
        return state.listings.get(seller_id, {}).pop(sku, None) is not None


def item_view(listing: dict, marketplace_id: str, included: list[str]) -> dict:
    """A stored listing as getListingsItem (and the feed report) shows it."""
    attrs = listing["attributes"]
    out: dict[str, Any] = {"sku": listing["sku"]}
    quantity = sum(int(e.get("quantity") or 0) for e in attrs.get("fulfillment_availability", [])
                   if isinstance(e, dict))
    price = _price(attrs)
    if "summaries" in included:
        status = ["DISCOVERABLE"] if listing.get("asin") else []
        if price is not None and quantity > 0:
            status.insert(0, "BUYABLE")
        summary: dict[str, Any] = {
            "marketplaceId": marketplace_id, "productType": listing["productType"],
            "conditionType": _first_value(attrs, "condition_type") or "new_new",
            "status": status, "createdDate": listing["createdDate"],
            "lastUpdatedDate": listing["lastUpdatedDate"],
        }
        if listing.get("asin"):
            summary["asin"] = listing["asin"]
        name = _first_value(attrs, "item_name")
        if name:
            summary["itemName"] = name
        if summary["conditionType"] not in _CONDITIONS:
            summary["conditionType"] = "new_new"
        out["summaries"] = [summary]
    if "attributes" in included:
        out["attributes"] = copy.deepcopy(attrs)
    if "issues" in included:
        out["issues"] = copy.deepcopy(listing.get("issues", []))
    if "offers" in included:
        out["offers"] = [] if price is None else [{
            "marketplaceId": marketplace_id, "offerType": "B2C",
            "price": {"currencyCode": "TRY", "amount": price}}]
    if "fulfillmentAvailability" in included:
        out["fulfillmentAvailability"] = [
            {"fulfillmentChannelCode": e.get("fulfillment_channel_code", "DEFAULT"),
             "quantity": int(e.get("quantity") or 0)}
            for e in attrs.get("fulfillment_availability", []) if isinstance(e, dict)]
    if "procurement" in included:
        out["procurement"] = []
    if "relationships" in included:
        out["relationships"] = [{"marketplaceId": marketplace_id, "relationships": []}]
    if "productTypes" in included:
        out["productTypes"] = [{"marketplaceId": marketplace_id,
                                "productType": listing["productType"]}]
    return out


_CONDITIONS = {"new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new",
               "used_very_good", "used_good", "used_acceptable", "collectible_like_new",
               "collectible_very_good", "collectible_good", "collectible_acceptable", "club_club"}


def _first_value(attrs: dict, name: str) -> Any:
    for entry in attrs.get(name) or []:
        if isinstance(entry, dict) and "value" in entry:
            return entry["value"]
    return None


def _price(attrs: dict) -> str | None:
    for offer in attrs.get("purchasable_offer") or []:
        for price in (offer or {}).get("our_price") or []:
            for sched in (price or {}).get("schedule") or []:
                v = (sched or {}).get("value_with_tax")
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    return f"{v:.2f}"
    return None
