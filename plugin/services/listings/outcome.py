"""The per-SKU state machine: what Amazon's answer for one SKU makes of its link.

States (``ListingLink.state``):

- ``pending``: never accepted by Amazon yet; the next push links it.
- ``live``: Amazon accepted it; the ``*_hash`` columns hold what Amazon has.
- ``locked``: Amazon took the offer but refused our content, because the catalog
  page is someone else's; content is no longer sent, price and stock still are.
- ``error``: Amazon (or we, before sending) refused it; ``failed_hash`` holds
  what was refused, so the same values are not sent again until they change.
- ``unlinked``: the admin took it out of the sync (see actions.py).

The answer comes from a put or patch (status ACCEPTED/VALID/INVALID) or from a
feed's processing report, and is applied here the same way for both.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ...models import ListingLink
from . import values


def is_linked(state_: str, *hashes) -> bool:
    """Amazon accepted a listing for the SKU (a new LISTING may have no ASIN yet)."""
    return state_ in ("live", "locked") or (state_ == "error" and any(hashes))


def apply_outcome(link: ListingLink, pending: dict, status: str, issues: list[dict], *, product_type: str | None,
                  now: datetime, counts) -> None:
    """Write Amazon's answer for one SKU onto its link: accepted digests, issues, state."""
    parts = pending.get("parts") or []
    digests = pending.get("digests") or {}
    refused = sorted({name for name in (values.refused_attribute(i) for i in issues)
                      if name in values.CONTENT_ATTRIBUTES})
    errors = [i for i in issues if i.get("severity") == "ERROR"]
    link.issues = issues
    link.last_pushed_at = now
    if product_type:
        link.product_type = product_type
    content_only_refusal = bool(refused) and all(values.refused_attribute(i) in values.CONTENT_ATTRIBUTES
                                                 for i in errors)
    if status in ("ACCEPTED", "VALID") or (content_only_refusal and values.CONTENT in parts):
        accepted = status in ("ACCEPTED", "VALID")
        if accepted and pending.get("op") == "put" and not link.requirements:
            link.requirements = pending.get("requirements")
        for part in parts:
            if part == values.CONTENT and refused:
                continue
            if not accepted:
                continue
            setattr(link, f"{part}_hash", digests.get(part))
            if part == values.PRICE and pending.get("price") is not None:
                link.amazon_price = Decimal(pending["price"])
            elif part == values.STOCK and pending.get("quantity") is not None:
                link.amazon_quantity = int(pending["quantity"])
            elif part == values.CONTENT and pending.get("title") is not None:
                link.amazon_title = pending["title"]
        if refused and values.CONTENT in parts:
            # Amazon took the offer but not our content: the catalog page is someone else's
            link.state = "locked"
            link.locked_reason = " ".join(str(i.get("message", "")) for i in issues
                                          if values.refused_attribute(i) in values.CONTENT_ATTRIBUTES)[:2000]
            counts(locked=1)
        elif link.state != "locked":
            link.state = "live"
        link.failed_hash = None
        if accepted:
            counts(accepted=1)
    else:
        if pending.get("op") == "put" and not (link.price_hash or link.stock_hash or link.content_hash):
            link.asin = None  # the link was never made
        link.state = "error"
        link.failed_hash = pending.get("attempt")
        counts(errors=1)


def refuse(link: ListingLink, attempt: str, issues: list[dict], counts) -> None:
    """We refuse to send the SKU ourselves (no EAN, no product type, missing attributes): the same as Amazon's no."""
    link.state = "error"
    link.issues = issues
    link.failed_hash = attempt
    counts(errors=1)
