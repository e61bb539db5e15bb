"""Submitting a JSON_LISTINGS_FEED, and settling one whose createFeed answer was lost.

The feed's row is committed as SUBMITTING before createFeed is sent. If the
answer never comes, :func:`reconcile` looks for the feed on Amazon (getFeeds)
and adopts it, or, after the grace period, gives it up so its SKUs go again.
"""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, update

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ListingFeed, ListingLink
from ...models.listings import SUBMITTING
from ...spapi import JSON_FEED_CONTENT_TYPE, JSON_LISTINGS_FEED, NetworkError, SPAPIError
from .. import state
from .issues import our_issue
from .pusher import Pusher
from .settings import feed_grace
from .work import Work

log = logging.getLogger("amazon_tr")

#: Amazon's limit on messages in one JSON_LISTINGS_FEED (json-listings-feed-schema-v2.json: messages
#: "maxItems": 25000).
FEED_MAX_MESSAGES = 25000
#: "Keep file size less than 10 MiB (5*2^21, or 10,485,760 bytes). If your file exceeds the recommended
#: size, please adjust by dividing it in different smaller submissions" (Feeds API Best Practices,
#: developer-docs.amazon.com). A feed of product content reaches it long before 25,000 messages.
FEED_MAX_BYTES = 10 * 1024 * 1024
#: Feeds of one seller wait in one queue ("IN_QUEUE: ... It may be waiting for another IN_PROGRESS
#: feed", feeds-2021-06-30.json), and Amazon's advice is "Wait for previous feeds to be completed
#: before resubmitting" (Feeds API Best Practices): no new feed while one of the store's is still
#: waiting there, or while one is recorded but not confirmed (see reconcile).
WAITING_STATUSES = (SUBMITTING, "IN_QUEUE")


def _message(number: int, item: Work) -> dict:
    if item.op == "put":
        return {"messageId": number, "sku": item.link.sku, "operationType": "UPDATE",
                "productType": item.product_type, "requirements": item.requirements, "attributes": item.attributes}
    return {"messageId": number, "sku": item.link.sku, "operationType": "PATCH", "productType": item.product_type,
            "patches": item.patches}


def _encode(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _envelope(seller_id: str | None) -> tuple[bytes, bytes]:
    """The document around its messages, as bytes: what goes before the first message and after the last."""
    empty = _encode({"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "tr_TR"}, "messages": []})
    return empty[:-2], b"]}"  # json.dumps ends an empty list and the object with "[]}"


def feed_document(seller_id: str | None, batch: list[Work]) -> bytes:
    """The JSON_LISTINGS_FEED document of ``batch``, messages numbered from 1 (the bytes feed_batches measured)."""
    head, tail = _envelope(seller_id)
    return head + b", ".join(_encode(_message(n, item)) for n, item in enumerate(batch, start=1)) + tail


def feed_batches(items: list[Work], seller_id: str | None, *, max_bytes: int = FEED_MAX_BYTES,
                 max_messages: int = FEED_MAX_MESSAGES) -> list[list[Work]]:
    """``items`` cut into feeds of at most ``max_messages`` messages and ``max_bytes`` bytes each.

    A single message larger than ``max_bytes`` goes in a feed of its own (it cannot be cut).
    """
    head, tail = _envelope(seller_id)
    batches: list[list[Work]] = []
    batch: list[Work] = []
    size = len(head) + len(tail)
    for item in items:
        part = len(_encode(_message(len(batch) + 1, item)))
        if batch and (len(batch) >= max_messages or size + 2 + part > max_bytes):
            batches.append(batch)
            batch, size = [], len(head) + len(tail)
            part = len(_encode(_message(1, item)))
        size += part + (2 if batch else 0)
        batch.append(item)
    if batch:
        batches.append(batch)
    return batches


def feed_waiting(pusher: Pusher) -> bool:
    """One of the store's feeds still waits at Amazon (or is not confirmed yet): no new feed now."""
    return pusher.db.scalar(select(ListingFeed.id).where(
        ListingFeed.store_id == pusher.store.id, ListingFeed.status.in_(WAITING_STATUSES)).limit(1)) is not None
#: Allowance for our clock and Amazon's disagreeing, and for getFeeds' whole-second times.
FEED_CLOCK_SKEW = timedelta(seconds=120)
#: A createFeed the client gave up on may still land on Amazon for this many of
#: the client's read timeouts after the error, in real time.
LANDING_READ_TIMEOUTS = 3


def send_feed(pusher: Pusher, batch: list[Work]) -> str | None:
    """Upload and create one feed; returns its feedId, or None when Amazon's answer was lost."""
    client, db = pusher.client, pusher.db
    created = client.create_feed_document(JSON_FEED_CONTENT_TYPE)
    client.upload_feed_document(created["url"], feed_document(client.seller_id, batch), JSON_FEED_CONTENT_TYPE)
    now = pusher.now()
    record = ListingFeed(store_id=pusher.store.id, feed_id=None, input_document_id=created["feedDocumentId"],
                         status=SUBMITTING, message_count=len(batch),
                         run_id=pusher.run.id if pusher.run else None, submitted_at=now)
    db.add(record)
    db.flush()
    for number, item in enumerate(batch, start=1):
        item.link.feed_id = record.link_key
        item.link.product_type = item.product_type
        item.link.requirements = item.requirements or item.link.requirements
        item.link.pending_json = json.dumps(item.pending(number), ensure_ascii=False)
        item.link.last_pushed_at = now
    # Committed before createFeed: if its answer is lost or we die before the next
    # commit, this row is how the feed Amazon may have created gets found.
    db.commit()
    try:
        answer = client.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"])
    except NetworkError as exc:
        if not exc.may_have_reached:
            abandon(pusher, record)
            raise
        landing_deadlines()[record.id] = time.monotonic() + landing_seconds(client)
        log.warning("store %s: createFeed's answer was lost (%s); looking for the feed on Amazon",
                    pusher.store.id, exc)
        pusher.count(feeds_unconfirmed=1)
        reconcile(pusher)
        return record.feed_id
    except SPAPIError:
        # Amazon answered with a refusal: no feed was created
        abandon(pusher, record)
        raise
    confirm(pusher, record, answer["feedId"], "IN_QUEUE")
    # the deadline counts from when Amazon took the feed, after any retries of createFeed
    record.submitted_at = pusher.now()
    db.commit()
    pusher.count(feeds=1, feed_messages=len(batch))
    log.info("store %s: JSON_LISTINGS_FEED %s submitted with %s message(s)", pusher.store.id, answer["feedId"],
             len(batch))
    return answer["feedId"]


def confirm(pusher: Pusher, record: ListingFeed, feed_id: str, status: str) -> None:
    key = record.link_key
    record.feed_id = feed_id
    record.status = status
    pusher.db.execute(update(ListingLink).where(ListingLink.feed_id == key).values(feed_id=feed_id))


def abandon(pusher: Pusher, record: ListingFeed) -> None:
    """Amazon surely has no feed for the record: its products are free to go again."""
    db = pusher.db
    db.rollback()
    db.execute(update(ListingLink).where(ListingLink.feed_id == record.link_key).values(
        feed_id=None, pending_json=None))
    db.delete(record)
    db.commit()


def submitting_count(pusher: Pusher) -> int:
    return len(list(pusher.db.scalars(select(ListingFeed.id).where(
        ListingFeed.store_id == pusher.store.id, ListingFeed.status == SUBMITTING))))


def landing_deadlines() -> dict[int, float]:
    """Per feed record: until when (time.monotonic) its lost createFeed may still land on Amazon."""
    return state().extras.setdefault("feed_landing_deadlines", {})


def landing_seconds(client) -> float:
    timeout = client.timeout
    read = timeout[-1] if isinstance(timeout, (tuple, list)) else timeout
    return LANDING_READ_TIMEOUTS * float(read or 0)


def reconcile(pusher: Pusher) -> None:
    """Settle feeds recorded as SUBMITTING: adopt the feed Amazon created for each, or give it up.

    getFeeds does not say which input document a feed was made from, so a
    JSON_LISTINGS_FEED created after the record (less the clock skew) that no
    row of ours claims is taken as the record's. That holds because a store
    creates its feeds one at a time (the products lease) and creates none
    while one is unconfirmed. Two stores sharing one seller id, or another
    tool sending JSON_LISTINGS_FEEDs for the seller, could be mistaken for ours.
    """
    records = list(pusher.db.scalars(select(ListingFeed).where(
        ListingFeed.store_id == pusher.store.id, ListingFeed.status == SUBMITTING).order_by(ListingFeed.id)))
    if not records:
        return
    deadlines = landing_deadlines()
    grace = feed_grace()
    for look in range(2):
        adopt(pusher, records)
        left = [r for r in records if r.status == SUBMITTING]
        overdue = [r for r in left if (pusher.now() - r.submitted_at).total_seconds() >= grace]
        if not overdue:
            break
        # The request we gave up on travels in real time, not on the plugin's clock
        # (which tests and the bench run fast): let it land before concluding it never will.
        wait = max(deadlines.get(r.id, 0.0) for r in overdue) - time.monotonic()
        if look == 0 and wait > 0:
            if pusher.max_wait is not None and wait > pusher.max_wait:
                # someone waits at a button: a later poll gives these up once they had time to land
                break
            time.sleep(wait)
            continue
        for record in overdue:
            lose(pusher, record)
        break
    pusher.db.commit()


def adopt(pusher: Pusher, records: list[ListingFeed]) -> None:
    since = min(r.submitted_at for r in records) - FEED_CLOCK_SKEW
    feeds = list(pusher.client.iter_feeds(feed_types=[JSON_LISTINGS_FEED], created_since=since))
    ids = [f["feedId"] for f in feeds if f.get("feedId")]
    claimed = set(pusher.db.scalars(select(ListingFeed.feed_id).where(ListingFeed.feed_id.in_(ids)))) if ids \
        else set()
    free = sorted((f for f in feeds if f.get("feedId") and f["feedId"] not in claimed),
                  key=lambda f: (_amazon_time(f.get("createdTime")), f["feedId"]))
    for record in records:
        for feed in free:
            created = _amazon_time(feed.get("createdTime"))
            if created >= record.submitted_at - FEED_CLOCK_SKEW:
                free.remove(feed)
                # not Amazon's status yet: a final one would keep the poll from reading the report
                confirm(pusher, record, feed["feedId"], "IN_QUEUE")
                # the deadline counts from when Amazon took the feed, not from our record
                record.submitted_at = max(record.submitted_at, created)
                landing_deadlines().pop(record.id, None)
                log.info("store %s: feed %s found on Amazon and taken as the one whose answer was lost",
                         pusher.store.id, feed["feedId"])
                pusher.count(feeds=1, feed_messages=record.message_count, feeds_found=1)
                break


def lose(pusher: Pusher, record: ListingFeed) -> None:
    """No feed showed up for the record within the grace period: its products go again."""
    db = pusher.db
    skus = list(db.scalars(select(ListingLink.sku).where(ListingLink.feed_id == record.link_key)))
    db.execute(update(ListingLink).where(ListingLink.feed_id == record.link_key).values(
        feed_id=None, pending_json=None,
        issues_json=json.dumps([our_issue("feed_lost")], ensure_ascii=False)))
    record.status = "LOST"
    record.finished_at = pusher.now()
    record.error = in_turkish(_l("Amazon did not confirm this feed and it never showed up there; its products "
                                 "are sent again."))
    landing_deadlines().pop(record.id, None)
    pusher.lost_skus.update(skus)
    log.warning("store %s: feed record %s never showed up on Amazon; %s product(s) are sent again",
                pusher.store.id, record.id, len(skus))
    pusher.count(feeds_lost=1)


def _amazon_time(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
