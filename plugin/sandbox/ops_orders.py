"""Orders 2026-01-01: searchOrders and getOrder over the seeded orders."""
from __future__ import annotations

import copy
import json
import re
from datetime import timedelta
from typing import Any

from .dispatch import ApiError, Call, invalid, operation
from .models import parse_date_time
from .seed import MARKETPLACES, iso

MAX_PAGE = 100
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")

# includedData value -> order-level keys and order-item-level keys it unlocks
SECTIONS = {
    "BUYER": (["buyer"], []),
    "RECIPIENT": (["recipient"], []),
    "PROCEEDS": (["proceeds"], ["proceeds"]),
    "EXPENSE": ([], ["expense"]),
    "PROMOTION": ([], ["promotion"]),
    "CANCELLATION": ([], ["cancellation"]),
    "FULFILLMENT": (["fulfillment"], ["fulfillment"]),
    "PACKAGES": (["packages"], []),
    "TAX": (["tax"], ["tax"]),
    "PAYMENT": (["payment"], []),
    "FULFILLMENT_ORDERS": (["fulfillmentOrders"], []),
}
_GATED_ORDER = {k for keys, _ in SECTIONS.values() for k in keys}
_GATED_ITEM = {k for _, keys in SECTIONS.values() for k in keys}


def project(order: dict, included: list[str] | None) -> dict:
    """The order as Amazon shows it for the includedData asked for."""
    included = included or []
    order_keys = {k for name in included for k in SECTIONS[name][0]}
    item_keys = {k for name in included for k in SECTIONS[name][1]}
    out = {k: copy.deepcopy(v) for k, v in order.items()
           if not k.startswith("_") and (k not in _GATED_ORDER or k in order_keys)}
    out["orderItems"] = [
        {k: copy.deepcopy(v) for k, v in item.items() if k not in _GATED_ITEM or k in item_keys}
        for item in order.get("orderItems", [])
    ]
    return out


def _check_marketplaces(call: Call, ids: list[str] | None) -> None:
    for mid in ids or []:
        if mid not in MARKETPLACES:
            raise invalid(f"Invalid marketplaceId '{mid}'.")


@operation("searchOrders")
def search_orders(call: Call):
    p = call.params
    state = call.state
    now = state.now()
    created_after, updated_after = p.get("createdAfter"), p.get("lastUpdatedAfter")
    created_before, updated_before = p.get("createdBefore"), p.get("lastUpdatedBefore")
    if (created_after is None) == (updated_after is None):
        raise invalid("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
    if created_after is not None and (updated_after or updated_before):
        raise invalid("lastUpdatedAfter and lastUpdatedBefore cannot be used with createdAfter.")
    if updated_after is not None and (created_after or created_before):
        raise invalid("createdAfter and createdBefore cannot be used with lastUpdatedAfter.")
    field, after_s, before_s = (("createdTime", created_after, created_before)
                                if created_after is not None else
                                ("lastUpdatedTime", updated_after, updated_before))
    after = parse_date_time(after_s)
    if after is None:
        raise invalid(f"Invalid date-time '{after_s}'.")
    if after > now:
        raise invalid("The after date must not be in the future.")
    if before_s is not None:
        before = parse_date_time(before_s)
        if before is None:
            raise invalid(f"Invalid date-time '{before_s}'.")
        if before < after:
            raise invalid("The before date must be equal to or after the after date.")
        if before > now - timedelta(minutes=2):
            raise invalid("The before date must be at least two minutes before the time of the request.")
    else:
        before = now
    size = p.get("maxResultsPerPage", MAX_PAGE)
    if not 1 <= size <= MAX_PAGE:
        raise invalid(f"maxResultsPerPage must be between 1 and {MAX_PAGE}.")
    _check_marketplaces(call, p.get("marketplaceIds"))
    included = p.get("includedData") or []

    # the token is bound to everything except itself and the page size
    filters = {k: v for k, v in p.items() if k not in ("paginationToken", "maxResultsPerPage")}
    fingerprint = json.dumps(filters, sort_keys=True, default=str)
    offset = 0
    token = p.get("paginationToken")
    if token is not None:
        with state.lock:
            saved = state.pagination_tokens.get(token)
        if saved is None or saved["seller"] != call.seller_id:
            raise invalid("Invalid paginationToken.")
        if saved["filters"] != fingerprint:
            raise invalid("The paginationToken must be used with the same filters as the "
                          "request that returned it.")
        offset = saved["offset"]
        before = saved["before"]

    statuses = set(p.get("fulfillmentStatuses") or [])
    channels = set(p.get("fulfilledBy") or [])
    marketplaces = set(p.get("marketplaceIds") or [])
    with state.lock:
        candidates = [o for o in state.orders.values() if o.get("_sellerId") == call.seller_id]
    matches = []
    for o in candidates:
        t = parse_date_time(o[field])
        if t is None or t < after or t > before:
            continue
        ful = o.get("fulfillment") or {}
        if statuses and ful.get("fulfillmentStatus") not in statuses:
            continue
        if channels and ful.get("fulfilledBy") not in channels:
            continue
        if marketplaces and o["salesChannel"].get("marketplaceId") not in marketplaces:
            continue
        matches.append(o)
    matches.sort(key=lambda o: (o[field], o["orderId"]))
    page = matches[offset:offset + size]
    body: dict[str, Any] = {"orders": [project(o, included) for o in page]}
    if offset + size < len(matches):
        next_token = state.new_secret("", 30)
        with state.lock:
            state.pagination_tokens[next_token] = {
                "filters": fingerprint, "offset": offset + size, "seller": call.seller_id,
                "before": before}
        body["pagination"] = {"nextToken": next_token}
    body["createdBefore" if field == "createdTime" else "lastUpdatedBefore"] = iso(before)
    return 200, body


@operation("getOrder")
def get_order(call: Call):
    order_id = call.params["orderId"]
    if not ORDER_ID.match(order_id):
        raise invalid(f"Invalid orderId '{order_id}': expected the 3-7-7 digit form.")
    with call.state.lock:
        order = call.state.orders.get(order_id)
        if order is None or order.get("_sellerId") != call.seller_id:
            raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
        shown = project(order, call.params.get("includedData"))
    return 200, {"order": shown}
