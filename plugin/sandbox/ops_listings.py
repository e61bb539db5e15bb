"""Listings Items 2021-08-01: get, put, patch and delete one seller's SKU.

searchListingsItems, over all of a seller's SKUs, is in listings_search.py."""
from __future__ import annotations

import uuid

from . import listings
from .dispatch import ApiError, Call, invalid, operation


def check(call: Call) -> str:
    # a token may only touch its own seller's listings
    if call.params["sellerId"] != call.seller_id:
        raise ApiError(403, "Unauthorized")
    ids = call.params.get("marketplaceIds") or []
    if not ids:
        raise invalid("Missing required parameter 'marketplaceIds'.")
    for mid in ids:
        if mid not in call.state.sellers[call.seller_id]["marketplaces"]:
            raise invalid(f"The seller does not participate in marketplace '{mid}'.")
    return ids[0]


def _submission(call: Call, outcome: listings.Outcome, included: list[str], preview: bool,
                marketplace_id: str) -> dict:
    body = {"sku": call.params["sku"], "status": outcome.status,
            "submissionId": uuid.uuid4().hex}
    if "issues" in included:
        body["issues"] = outcome.issues
    if "identifiers" in included:
        if not preview:
            raise invalid("includedData 'identifiers' can only be requested with mode "
                          "VALIDATION_PREVIEW.")
        body["identifiers"] = ([{"marketplaceId": marketplace_id, "asin": outcome.asin}]
                               if outcome.asin else [])
    return body


def _body(call: Call, key: str, kind: type) -> dict:
    # the model check catches this first; this guard keeps a model-less run honest
    body = call.body
    if not isinstance(body, dict) or not isinstance(body.get("productType"), str) \
            or not isinstance(body.get(key), kind):
        raise invalid(f"The request body needs productType and {key}.")
    return body


@operation("getListingsItem")
def get_listings_item(call: Call):
    mid = check(call)
    sku = call.params["sku"]
    # (an accepted submission Amazon has not processed yet does not show: listings_view.visible)
    listing = listings.visible(call.state, call.state.listings.get(call.seller_id, {}).get(sku))
    if listing is None:
        raise ApiError(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {mid}.")
    return 200, listings.item_view(call.state, listing, mid, call.params.get("includedData") or ["summaries"])


@operation("putListingsItem")
def put_listings_item(call: Call):
    mid = check(call)
    body = _body(call, "attributes", dict)
    preview = call.params.get("mode") == "VALIDATION_PREVIEW"
    outcome = listings.put_listing(
        call.state, call.seller_id, call.params["sku"], product_type=body["productType"],
        attributes=body["attributes"], requirements=body.get("requirements"),
        locale=call.params.get("issueLocale"), preview=preview)
    return 200, _submission(call, outcome, call.params.get("includedData") or ["issues"],
                            preview, mid)


@operation("patchListingsItem")
def patch_listings_item(call: Call):
    mid = check(call)
    body = _body(call, "patches", list)
    preview = call.params.get("mode") == "VALIDATION_PREVIEW"
    try:
        outcome = listings.patch_listing(
            call.state, call.seller_id, call.params["sku"], product_type=body["productType"],
            patches=body["patches"], locale=call.params.get("issueLocale"), preview=preview)
    except listings.PatchPathError as exc:
        raise invalid(str(exc)) from None
    return 200, _submission(call, outcome, call.params.get("includedData") or ["issues"],
                            preview, mid)


@operation("deleteListingsItem")
def delete_listings_item(call: Call):
    check(call)
    # deleting is idempotent; the model has no 404 for it
    listings.delete_listing(call.state, call.seller_id, call.params["sku"])
    return 200, {"sku": call.params["sku"], "status": "ACCEPTED",
                 "submissionId": uuid.uuid4().hex, "issues": []}
