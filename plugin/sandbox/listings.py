"""Listings rules shared by the Listings Items API and JSON_LISTINGS_FEED.

Amazon checks a submission synchronously for its shape, then applies it to one seller's
listing: putListingsItem and the feed's UPDATE replace the whole item, patchListingsItem and
the feed's PATCH / PARTIAL_UPDATE touch only the attributes they name. What Amazon does
beyond storing (catalog conflicts, brand-owned pages, FBA records, issues that come later)
lives in listings_rules.py, and how a listing is shown in listings_view.py.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from . import listings_rules as rules
from .listings_rules import issue as _issue
from .listings_rules import tr as _tr
from .listings_view import item_view, visible  # noqa: F401  (the view the ops modules render)
from .seed import iso
from .state import SandboxState


@dataclass
class Outcome:
    status: str  # ACCEPTED | INVALID | VALID
    issues: list[dict] = field(default_factory=list)
    asin: str | None = None


class PatchPathError(ValueError):
    pass


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


def _identity_missing(attrs: dict, offer_only: bool) -> bool:
    has_identity = any(k in attrs for k in ("merchant_suggested_asin", "externally_assigned_product_identifier"))
    return not has_identity and (offer_only or "item_name" not in attrs)


def _finish(state: SandboxState, seller_id: str, sku: str, product_type: str, current: dict | None,
            new_attrs: dict, submitted: set[str], locale: str | None, preview: bool,
            required_issues: list[dict], later: list[dict] | None = None) -> Outcome:
    issues = list(required_issues) + _shape_issues(new_attrs, locale)
    if any(i["severity"] == "ERROR" for i in issues):
        return Outcome("INVALID", issues)
    before = current["attributes"] if current else {}
    item = _catalog_item(state, new_attrs, current)
    conflicts = rules.catalog_conflicts(item, seller_id, new_attrs, submitted, locale)
    if conflicts:
        # 8541 refuses the submission whole: nothing is stored, the offer included
        return Outcome("INVALID", issues + conflicts, item["asin"] if item else None)
    issues += rules.contributions_not_applied(item, seller_id, before, new_attrs, submitted, locale)
    rules.keep_amazon_channels(before, new_attrs)
    asin = item["asin"] if item else (current or {}).get("asin")
    if preview:
        return Outcome("VALID", issues, asin)
    now = iso(state.now())
    listing = {
        "sku": sku, "seller": seller_id, "productType": product_type, "asin": asin, "attributes": new_attrs,
        "createdDate": current["createdDate"] if current else now, "lastUpdatedDate": now,
        "issues": [i for i in issues if i["severity"] != "ERROR"],
    }
    for kept in ("fbaQuantity", "fnSku", "asyncIssues"):
        if current and kept in current:
            listing[kept] = copy.deepcopy(current[kept])
    with state.lock:
        rules.after_accepted(state, seller_id, sku, listing, submitted)
        if later:
            listing.setdefault("asyncIssues", []).extend({**i, "_visibleAt": state.now_ts()} for i in later)
        processing = state.listing_processing_seconds
        if processing > 0:
            # accepted for processing: reads show the version before it until then (listings_view.visible)
            before = visible(state, current)
            listing["_processing"] = {"until": state.now_ts() + processing, "before": None if before is None else
                                      copy.deepcopy({k: v for k, v in before.items() if k != "_processing"})}
        state.listings.setdefault(seller_id, {})[sku] = listing
        state.listings_changed()
    return Outcome("ACCEPTED", issues, asin)


def put_listing(state: SandboxState, seller_id: str, sku: str, *, product_type: str,
                attributes: dict, requirements: str | None = None, locale: str | None = None,
                preview: bool = False) -> Outcome:
    """putListingsItem and the feed's UPDATE: "Creates a new or fully-updates an existing listings
    item" (the model's description); the feed schema: "UPDATE indicates the full set of item
    attributes are provided and any existing attributes data will be replaced"."""
    current = state.listings.get(seller_id, {}).get(sku)
    new_attrs = copy.deepcopy(attributes)
    required: list[dict] = []
    if requirements != "LISTING_PRODUCT_ONLY" and "condition_type" not in new_attrs:
        required.append(_missing("condition_type", locale))
    if _identity_missing(new_attrs, requirements == "LISTING_OFFER_ONLY"):
        required.append(_missing("merchant_suggested_asin", locale))
    return _finish(state, seller_id, sku, product_type, current, new_attrs, set(attributes),
                   locale, preview, required)


def partial_update(state: SandboxState, seller_id: str, sku: str, *, product_type: str,
                   attributes: dict, locale: str | None = None) -> Outcome:
    """The feed's PARTIAL_UPDATE: "equivalent to using PATCH with the replace op" (feed schema)."""
    patches = [{"op": "replace", "path": f"/attributes/{name}", "value": value}
               for name, value in attributes.items()]
    return patch_listing(state, seller_id, sku, product_type=product_type, patches=patches, locale=locale)


def patch_listing(state: SandboxState, seller_id: str, sku: str, *, product_type: str,
                  patches: list[dict], locale: str | None = None, preview: bool = False) -> Outcome:
    """patchListingsItem and the feed's PATCH: "Only top-level listings item attributes can be
    patched" (the model's description).

    A SKU Amazon does not know is not refused: Amazon accepts the sales terms and keeps an
    incomplete listing nobody can buy ("This is expected behavior ... you are successfully
    sending us #2 [the offer], but that doesn't mean you have a complete buyable listing",
    Amazon on amzn/selling-partner-api-docs#3748; a feed PATCH to a made-up SKU comes back
    accepted, amzn/selling-partner-api-models#4402). Assumption: what it lacks shows as ERROR
    issues (90220) on a later read, not in the submission's answer, which has none."""
    current = state.listings.get(seller_id, {}).get(sku)
    attrs = copy.deepcopy(current["attributes"]) if current else {}
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
    later = None
    if current is None:
        later = ([] if "condition_type" in attrs else [_missing("condition_type", locale)]) + \
            ([_missing("merchant_suggested_asin", locale)] if _identity_missing(attrs, True) else [])
    return _finish(state, seller_id, sku, product_type, current, attrs, touched, locale,
                   preview, [], later)


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
        gone = state.listings.get(seller_id, {}).pop(sku, None) is not None
        state.listings_changed()
        return gone
