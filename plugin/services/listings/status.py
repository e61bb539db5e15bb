"""Amazon's own status of a listing, read back after Amazon processed what it accepted.

ACCEPTED means "The listings submission was accepted for processing" (the model's
ListingsItemSubmissionResponse.status), not that the offer is live: "Accepted does not mean
the process is complete. Multiple downstream processes create the item in the Amazon catalog,
and any of these processes can generate issues that return asynchronously" ("Manage Listings
Issues", developer-docs.amazon.com); Amazon's answer to integrators is to read the listing back
with getListingsItem or searchListingsItems and ``includedData`` issues
(amzn/selling-partner-api-models#4764). A new SKU may not be readable at all until processed
(getListingsItem answers 404: amzn/selling-partner-api-models#5021).

So an accepted SKU's link gets ``status_due_at``; its status comes from the next inventory pass
(searchListingsItems reads every listing changed since the last pass, ours included: no extra
call) or, when that has not run, from getListingsItem with summaries and issues, a batch at a
time in the feed poll (the scheduler's 2-minute job) or at once from the row's button. The page
says "yayında" only when Amazon's summary says BUYABLE.

A listing read back whose ``lastUpdatedDate`` is older than our submission is Amazon's previous
version, not yet our change: it is read again later, until READ_BACK_PATIENCE has passed.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, not_, or_, select, update

from ...models import AmazonListing, ListingLink
from ...spapi import LWAError, NotFoundError, SPAPIError, UnauthorizedError
from ...spapi.formats import parse_datetime
from .. import session
from . import values
from .issues import our_issue

log = logging.getLogger("amazon_tr")

#: Assumption: Amazon processes most accepted submissions within a minute or two (its docs give no
#: figure); the first read-back waits this long, later ones READ_BACK_RETRY.
READ_BACK_AFTER = timedelta(seconds=60)
READ_BACK_RETRY = timedelta(minutes=5)
#: After this long without Amazon showing our change, what Amazon shows is taken as its answer
#: (a listing it still does not know is reported as missing).
READ_BACK_PATIENCE = timedelta(hours=6)
#: getListingsItem calls per poll: its Usage Plan is 5/s with a burst of 10, so about 10 s.
READ_BACK_BATCH = 50
#: Our clock and Amazon's may disagree; a listing updated this long before our submission still counts.
CLOCK_SKEW = timedelta(seconds=30)
STATUS_DATA = ("summaries", "issues")

SHOWN_STATES = ("pending", "live", "processing", "not_buyable", "error", "locked", "unlinked")


def mark_accepted(link: ListingLink, now: datetime) -> None:
    """Amazon took a submission for this SKU: its own status is read back once it has processed it."""
    link.amazon_status = None
    link.status_due_at = now + READ_BACK_AFTER


def shown_state(link: ListingLink) -> str:
    """What the products page calls the link: "live" (yayında) only when Amazon says BUYABLE."""
    if link.state != "live":
        return link.state
    if link.amazon_status is None:
        return "processing"
    return "live" if "BUYABLE" in link.amazon_statuses else "not_buyable"


def shown_filter(state_filter: str):
    """The SQL condition behind one of SHOWN_STATES (the page's state filter)."""
    live = ListingLink.state == "live"
    if state_filter == "live":
        return and_(live, ListingLink.amazon_status.like("%BUYABLE%"))
    if state_filter == "processing":
        return and_(live, ListingLink.amazon_status.is_(None))
    if state_filter == "not_buyable":
        return and_(live, ListingLink.amazon_status.isnot(None), not_(ListingLink.amazon_status.like("%BUYABLE%")))
    return ListingLink.state == state_filter


def apply_item(link: ListingLink, item: dict, now: datetime) -> bool:
    """Amazon's listing (getListingsItem with summaries and issues) onto the link; False when it is
    Amazon's version from before our last submission (read again later)."""
    summary = next(iter(item.get("summaries") or []), {}) or {}
    updated = _when(summary.get("lastUpdatedDate"))
    return _apply(link, statuses=summary.get("status") or [], issues=item.get("issues") or [],
                  asin=summary.get("asin"), updated=updated, now=now)


def _apply(link: ListingLink, *, statuses, issues: list[dict], asin: str | None, updated: datetime | None,
           now: datetime) -> bool:
    pushed = link.last_pushed_at
    waiting = link.status_due_at is not None and pushed is not None and now - pushed < READ_BACK_PATIENCE
    if waiting and updated is not None and updated < pushed - CLOCK_SKEW:
        return False
    link.amazon_status = ",".join(str(s) for s in statuses)[:60]
    link.issues = [i for i in issues if isinstance(i, dict)]
    if asin and not link.asin:
        link.asin = asin  # a new product gets its ASIN from Amazon's processing
    link.status_due_at = None
    link.status_read_at = now
    return True


def _missing(link: ListingLink, now: datetime) -> None:
    """Amazon does not know the SKU: still processing, or (past the patience) it never created it."""
    if link.last_pushed_at is not None and now - link.last_pushed_at < READ_BACK_PATIENCE:
        link.status_due_at = now + READ_BACK_RETRY
        return
    # not live, and not sent again by itself (its digests stay): the row's Link button sends it again
    link.state = "error"
    link.asin = None
    link.amazon_status = ""
    link.issues = [our_issue("not_on_amazon")]
    link.status_due_at = None
    link.status_read_at = now


def due_links(store_id: int, now: datetime, limit: int) -> list[ListingLink]:
    """Accepted links whose status is due, oldest first; SKUs Amazon cannot take in a URL path are
    left to the inventory pass (getListingsItem has the SKU in its path)."""
    sku = ListingLink.sku
    return list(session().scalars(select(ListingLink).where(
        ListingLink.store_id == store_id, ListingLink.status_due_at.isnot(None), ListingLink.status_due_at <= now,
        ListingLink.state.in_(("live", "locked")), func.length(sku) <= values.PATH_SKU_MAX,
        not_(or_(sku.contains("/"), sku.contains("#")))).order_by(ListingLink.status_due_at).limit(limit)))


def has_due(store_id: int, now: datetime) -> bool:
    return bool(due_links(store_id, now, 1))


def read_back(store_id: int, client, now: datetime, *, limit: int = READ_BACK_BATCH) -> int:
    """getListingsItem for up to ``limit`` due links; returns how many got Amazon's status.

    A refusal or an outage stops the batch (the rest stays due for the next poll); only a lost
    grant goes up to the caller."""
    db = session()
    read = 0
    for link in due_links(store_id, now, limit):
        try:
            item = client.get_listings_item(link.sku, included_data=STATUS_DATA)
        except NotFoundError:
            _missing(link, now)
        except (UnauthorizedError, LWAError):
            raise
        except SPAPIError as exc:
            log.info("store %s: reading back listing statuses stopped: %s", store_id, type(exc).__name__)
            break
        else:
            if apply_item(link, item, now):
                read += 1
            else:
                link.status_due_at = now + READ_BACK_RETRY
        db.commit()
    return read


def refresh(store_id: int, link: ListingLink, client, now: datetime) -> bool | None:
    """The row's button: Amazon's status of one SKU now. False when Amazon has not processed it yet; None
    for a SKU getListingsItem cannot take in its path (its status comes with the next inventory pass)."""
    if not values.sku_fits_a_path(link.sku):
        return None
    try:
        item = client.get_listings_item(link.sku, included_data=STATUS_DATA)
    except NotFoundError:
        _missing(link, now)
        session().commit()
        return link.status_due_at is None
    done = apply_item(link, item, now)
    if not done:
        link.status_due_at = now + READ_BACK_RETRY
    session().commit()
    return done


def from_inventory(store_id: int, seen_since: datetime, now: datetime) -> int:
    """Statuses from an inventory pass: every accepted link whose listing the pass has just read.

    One query and one executemany, whatever the number of links (a pass runs before every whole push)."""
    db = session()
    rows = db.execute(select(
        ListingLink.id, ListingLink.status_due_at, ListingLink.last_pushed_at, ListingLink.asin,
        AmazonListing.status, AmazonListing.issues_json, AmazonListing.amazon_updated_at, AmazonListing.asin,
    ).join(AmazonListing, and_(AmazonListing.store_id == ListingLink.store_id, AmazonListing.sku == ListingLink.sku))
        .where(ListingLink.store_id == store_id, ListingLink.state.in_(("live", "locked")),
               AmazonListing.seen_at >= seen_since)).all()
    changes = []
    for link_id, due, pushed, asin, status_, issues_json, updated, amazon_asin in rows:
        if due is not None and pushed is not None and now - pushed < READ_BACK_PATIENCE and \
                updated is not None and updated < pushed - CLOCK_SKEW:
            continue  # Amazon's version from before our submission
        changes.append({"id": link_id, "amazon_status": status_ or "", "issues_json": issues_json or "[]",
                        "status_due_at": None, "status_read_at": now, "asin": asin or amazon_asin})
    if changes:
        db.execute(update(ListingLink), changes)
    return len(changes)


def _when(value) -> datetime | None:
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None
