"""Orders 2026-01-01: searchOrders and getOrder over the seeded orders.

What each order shows depends on the includedData asked for and on the
application's roles, the order's status and the time (orders_gating.py, with
Amazon's sources); without a role that allows the operation at all Amazon answers
403 before any of this (dispatch.OPERATION_ROLES, "Get orders with filtering
criteria": the call needs one of the roles listed there).
"""
from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from .dispatch import ApiError, Call, invalid, operation
from .models import parse_date_time
from .ops_sellers import seller_roles
from .orders_gating import SECTIONS, project  # noqa: F401  (SECTIONS: the includedData names, for tests)
from .seed import MARKETPLACES, iso

MAX_PAGE = 100
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")

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
    roles = seller_roles(call.state, call.seller_id)
    body: dict[str, Any] = {"orders": [project(o, included, roles=roles, now=now) for o in page]}
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
        shown = project(order, call.params.get("includedData"), roles=seller_roles(call.state, call.seller_id),
                        now=call.state.now())
    return 200, {"order": shown}

