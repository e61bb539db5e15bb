"""searchListingsItems (Listings Items 2021-08-01): one seller's listings, filtered, sorted, paged.

Every rule follows the parameter and field descriptions in listings-items-2021-08-01.json:
marketplaceIds required; pageSize default 10, ``maximum: 20``; includedData default
``summaries``; identifiers (at most 20) and identifiersType each require the other and exclude
variationParentSku / packageHierarchySku; created*/lastUpdated* keep items "at or after" /
"at or before" the time; sortBy default lastUpdatedDate, sortOrder default DESC; pageToken takes
the previous page's pagination.nextToken; numberOfResults is "the total number of ... items
found", and "the maximum number of items (SKUs) that can be returned and paged through is
1000". The Usage Plan (5/s, burst 5) comes from the model's table through dispatch.
"""
from __future__ import annotations

import base64
import hashlib
import json
from bisect import bisect_left, bisect_right
from datetime import timedelta
from typing import Any, Callable

from .dispatch import Call, invalid, operation
from .listings_rules import visible_issues
from .listings_view import item_view, status, visible
from .models import parse_date_time
from .ops_listings import check
from .seed import iso

MAX_PAGE_SIZE = 20
#: "The maximum number of items (SKUs) that can be returned and paged through is 1000" (the
#: model's ItemSearchResults.numberOfResults). A seller with more is read in slices, e.g. by
#: lastUpdatedAfter from the last date seen.
MAX_RESULTS = 1000
SORT_FIELDS = {"sku": "sku", "createdDate": "createdDate", "lastUpdatedDate": "lastUpdatedDate"}
_EAN_LIKE = {"EAN", "GTIN", "UPC", "ISBN", "JAN"}


def _identifier_filter(state, kind: str, wanted: set[str]) -> Callable[[dict], bool]:
    if kind == "SKU":
        return lambda l: l["sku"] in wanted
    if kind == "ASIN":
        return lambda l: l.get("asin") in wanted
    if kind == "FNSKU":
        return lambda l: l.get("fnSku") in wanted
    if kind in _EAN_LIKE:
        def by_code(l: dict) -> bool:
            codes = {str(e.get("value")) for e in l["attributes"].get("externally_assigned_product_identifier") or []
                     if isinstance(e, dict)}
            item = state.catalog.get(l.get("asin") or "")
            return bool(wanted & codes) or (item is not None and item["ean"] in wanted)
        return by_code
    return lambda l: False  # MINSAN: no such codes in a Turkish catalog


def _query(call: Call) -> tuple:
    p = call.params
    identifiers, kind = p.get("identifiers"), p.get("identifiersType")
    if bool(identifiers) != bool(kind):
        raise invalid("identifiers and identifiersType must be given together.")
    exclusive = [n for n in ("identifiers", "variationParentSku", "packageHierarchySku") if p.get(n)]
    if len(exclusive) > 1:
        raise invalid(f"{' and '.join(exclusive)} cannot be used together.")
    dates = []
    for name in ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore"):
        value = p.get(name)
        if value is not None and parse_date_time(value) is None:
            raise invalid(f"Parameter '{name}' must be an ISO 8601 date-time, got '{value}'.")
        dates.append(parse_date_time(value) if value is not None else None)
    sort_by, order = p.get("sortBy", "lastUpdatedDate"), p.get("sortOrder", "DESC")
    if sort_by not in SORT_FIELDS or order not in ("ASC", "DESC"):
        raise invalid("sortBy must be sku, createdDate or lastUpdatedDate and sortOrder ASC or DESC.")
    return (tuple(sorted(identifiers or ())), kind, tuple(d.isoformat() if d else None for d in dates),
            p.get("variationParentSku"), p.get("packageHierarchySku"), sort_by)


def _sorted(call: Call, query: tuple) -> list[tuple[str, str]]:
    """(sort value, sku) of the listings the time-independent filters keep, ascending; cached
    until the seller's listings change (state.listings_version)."""
    state = call.state
    listings = _visible_listings(state, call.seller_id)
    # while submissions wait to be processed, what a search shows changes with the clock alone
    processing = state.listing_processing_seconds
    key = (call.seller_id, state.listings_version, len(listings), query, state.now_ts() if processing else None)
    cached = state.search_cache.get(key)
    if cached is not None:
        return cached
    identifiers, kind, dates, variation, package, sort_by = query
    keep = _identifier_filter(state, kind, set(identifiers)) if identifiers else None
    # stored dates are all iso()'s "YYYY-MM-DDTHH:MM:SSZ" in UTC, so strings compare as times
    # (a fraction of a second rounds a lower bound up: stored times are whole seconds)
    bounds = [parse_date_time(d) if d else None for d in dates]
    c_from, c_to, u_from, u_to = (
        None if b is None else iso(b + timedelta(seconds=1) if i % 2 == 0 and b.microsecond else b)
        for i, b in enumerate(bounds))
    field = SORT_FIELDS[sort_by]
    out = []
    for sku, listing in listings.items():
        if variation or package or (keep is not None and not keep(listing)):
            continue  # the sandbox has no variation or package relationships
        created, updated = listing["createdDate"], listing["lastUpdatedDate"]
        if (c_from and created < c_from) or (c_to and created > c_to) or \
                (u_from and updated < u_from) or (u_to and updated > u_to):
            continue
        out.append((listing[field], sku))
    out.sort()
    if len(state.search_cache) > 4:
        state.search_cache.clear()
    state.search_cache[key] = out
    return out


def _visible_listings(state, seller_id: str) -> dict[str, dict]:
    """The seller's listings as reads show them (an accepted submission shows once processed)."""
    listings = state.listings.get(seller_id, {})
    if not state.listing_processing_seconds:
        return listings
    shown = {sku: visible(state, listing) for sku, listing in listings.items()}
    return {sku: listing for sku, listing in shown.items() if listing is not None}


def _status_filter(call: Call) -> Callable[[dict], bool] | None:
    p = call.params
    want, without, severities = (set(p.get(n) or ()) for n in ("withStatus", "withoutStatus", "withIssueSeverity"))
    if not (want or without or severities):
        return None
    now = call.state.now_ts()

    def keep(listing: dict) -> bool:
        issues = visible_issues(listing, now)
        found = set(status(listing, issues))
        return want <= found and not (without & found) and \
            (not severities or any(i.get("severity") in severities for i in issues))
    return keep


def _token(query_hash: str, last: tuple[str, str], returned: int) -> str:
    raw = json.dumps({"h": query_hash, "k": list(last), "n": returned}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _read_token(token: str, query_hash: str) -> tuple[tuple[str, str], int]:
    # Assumption: a token only goes on the query it came from, sent again with it (as
    # integrators do, amzn/selling-partner-api-models#4544, where Amazon's answer is that the
    # parameter is pageToken, not nextToken). It holds the last item's sort key, so an item
    # updated during a pass moves behind it and is read again, never skipped.
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        last, returned = (str(data["k"][0]), str(data["k"][1])), int(data["n"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise invalid("Invalid pageToken.") from None
    if data.get("h") != query_hash:
        raise invalid("The pageToken does not belong to this query; send the same parameters again.")
    return last, returned


@operation("searchListingsItems")
def search_listings_items(call: Call):
    mid = check(call)
    p = call.params
    size = p.get("pageSize", 10)
    if not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    included = p.get("includedData") or ["summaries"]
    query = _query(call)
    order = p.get("sortOrder", "DESC")
    statuses = tuple(tuple(sorted(p.get(n) or ())) for n in ("withStatus", "withoutStatus", "withIssueSeverity"))
    query_hash = hashlib.sha256(json.dumps([call.seller_id, query, statuses, order]).encode()).hexdigest()[:20]
    state = call.state
    with state.lock:
        ordered = _sorted(call, query)
        keep = _status_filter(call)
        listings = _visible_listings(state, call.seller_id)
        total = len(ordered) if keep is None else sum(1 for _, sku in ordered if sku in listings and keep(listings[sku]))
        last, returned = _read_token(p["pageToken"], query_hash) if p.get("pageToken") else (None, 0)
        if order == "ASC":
            start = bisect_right(ordered, last) if last else 0
            indexes: Any = range(start, len(ordered))
        else:
            end = bisect_left(ordered, last) if last else len(ordered)
            indexes = range(end - 1, -1, -1)
        room = min(size, MAX_RESULTS - returned)
        page: list[tuple[str, str]] = []
        for i in indexes:
            if room <= 0 or len(page) > room:
                break
            if keep is None or (ordered[i][1] in listings and keep(listings[ordered[i][1]])):
                page.append(ordered[i])
        page, more = page[:max(room, 0)], len(page) > room
        more = more and returned + len(page) < MAX_RESULTS
        # (a listing deleted behind the sandbox's back since the cache was made is skipped)
        body: dict[str, Any] = {"numberOfResults": total, "items": [
            item_view(state, listings[sku], mid, included) for _, sku in page if sku in listings]}
    if more and page:
        body["pagination"] = {"nextToken": _token(query_hash, page[-1], returned + len(page))}
    return 200, body
