"""The per-SKU state machine: what Amazon's answer for one SKU makes of its link.

States (``ListingLink.state``):

- ``pending``: never accepted by Amazon yet; the next push links it.
- ``live``: Amazon accepted it; the ``*_hash`` columns hold what Amazon has. Accepted is "accepted
  for processing": ``amazon_status`` holds what Amazon shows once it has processed it (status.py),
  and the page says "yayında" only for BUYABLE.
- ``locked``: Amazon took the offer but did not apply our content, because the catalog
  page is someone else's (a catalog-conflict code, below); content is no longer sent,
  price and stock still are.
- ``error``: Amazon (or we, before sending) refused it; ``failed_hash`` holds
  what was refused, so the same values are not sent again until they change.
- ``unlinked``: the admin took it out of the sync (see actions.py).

The answer comes from a put or patch (status ACCEPTED/VALID/INVALID) or from a
feed's processing report, and is applied here the same way for both.

INVALID means Amazon stored nothing, the offer included: the link is ``error``, never
``live`` or ``locked``, and keeps no ASIN or digest from that answer. When the refusal was a
catalog conflict on content, the content is not sent again (``locked_reason``), so the
next push can get the offer through with price and stock alone.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ...models import ListingLink
from . import values
from .status import mark_accepted


#: Amazon's issue codes for content that conflicts with the catalog page the offer is on, with
#: where each is documented or reported. Only these make content "katalog kilitli"; a
#: WARNING such as a missing recommended attribute never does.
CATALOG_CONFLICT_CODES = {
    # "The listing data you provided differs from what is already in Amazon's catalog ... the
    # following listing attribute values conflict with the catalog values" (integrators'
    # reports: amzn/selling-partner-api-models#4969, amzn/selling-partner-api-docs#3638)
    "8541": "catalog conflict",
    # Amazon took the offer but keeps the brand's content on a brand-registry page; Amazon documents
    # no code for it (amzn/selling-partner-api-models#4028: the contribution is dropped silently), so
    # this is the local sandbox's name for what getListingsItem then shows (an assumption).
    "CONTRIBUTION_NOT_APPLIED": "content kept by the brand owner",
}


def catalog_conflicts(issues: list[dict]) -> list[dict]:
    """The issues saying Amazon's catalog keeps its own content for these attributes."""
    return [i for i in issues if str(i.get("code")) in CATALOG_CONFLICT_CODES
            and values.refused_attribute(i) in values.CONTENT_ATTRIBUTES]


def is_linked(state_: str, *hashes) -> bool:
    """Amazon accepted a listing for the SKU (a new LISTING may have no ASIN yet)."""
    return state_ in ("live", "locked") or (state_ == "error" and any(hashes))


def apply_outcome(link: ListingLink, pending: dict, status: str, issues: list[dict], *, product_type: str | None,
                  now: datetime, counts) -> None:
    """Write Amazon's answer for one SKU onto its link: accepted digests, issues, state."""
    parts = pending.get("parts") or []
    digests = pending.get("digests") or {}
    conflicts = catalog_conflicts(issues)
    refused = bool(conflicts) and values.CONTENT in parts
    link.issues = issues
    link.last_pushed_at = now
    if product_type and status in ("ACCEPTED", "VALID"):
        link.product_type = product_type
    if status in ("ACCEPTED", "VALID"):
        if pending.get("op") == "put" and not link.requirements:
            link.requirements = pending.get("requirements")
        for part in parts:
            if part == values.CONTENT and refused:
                continue
            setattr(link, f"{part}_hash", digests.get(part))
            if part == values.PRICE and pending.get("price") is not None:
                link.amazon_price = Decimal(pending["price"])
            elif part == values.STOCK and pending.get("quantity") is not None:
                link.amazon_quantity = int(pending["quantity"])
            elif part == values.CONTENT and pending.get("title") is not None:
                link.amazon_title = pending["title"]
        if refused:
            # Amazon took the offer but not our content: the catalog page is someone else's
            link.state = "locked"
            link.locked_reason = _reason(conflicts)
            counts(locked=1)
        elif link.state != "locked":
            link.state = "live"
        link.failed_hash = None
        # accepted for processing, not live: Amazon's own status is read back once it has processed it
        mark_accepted(link, now)
        counts(accepted=1)
    elif refused and list(parts) == [values.CONTENT] and (link.price_hash or link.stock_hash):
        # only our content, sent alone after Amazon took the offer, was refused by the catalog:
        # the offer stands as Amazon accepted it; content is not sent again
        link.state = "locked"
        link.locked_reason = _reason(conflicts)
        link.failed_hash = None
        counts(locked=1)
    else:
        # INVALID: Amazon stored nothing, the offer included
        if not (link.price_hash or link.stock_hash or link.content_hash):
            link.asin = None  # the link was never made
        if refused:
            link.locked_reason = _reason(conflicts)  # content is not sent again; the offer may go alone
        link.state = "error"
        link.failed_hash = pending.get("attempt")
        counts(errors=1)


def _reason(conflicts: list[dict]) -> str:
    return " ".join(str(i.get("message", "")) for i in conflicts)[:2000]


def refuse(link: ListingLink, attempt: str, issues: list[dict], counts) -> None:
    """We refuse to send the SKU ourselves (no EAN, no product type, missing attributes): the same as Amazon's no."""
    link.state = "error"
    link.issues = issues
    link.failed_hash = attempt
    counts(errors=1)
