"""Feeds in flight: asking Amazon about them, reading their processing reports onto the links,
and giving up on a feed Amazon sits on past the deadline."""
from __future__ import annotations

import json
import logging

from sqlalchemy import select, update

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ListingFeed, ListingLink
from ...models.listings import SUBMITTING
from ...spapi import InvalidInputError, MalformedResponseError
from .feed_submit import reconcile
from .issues import our_issue
from .outcome import apply_outcome
from .pusher import Pusher
from .settings import feed_deadline

log = logging.getLogger("amazon_tr")

#: Amazon's final feed states, ours for a feed given up after AMAZON_TR_FEED_DEADLINE, and
#: ours for a createFeed whose feed never showed up on Amazon (LOST).
FINAL_STATUSES = ("DONE", "FATAL", "CANCELLED", "EXPIRED", "LOST")
#: A feed Amazon is processing is waited for this many times AMAZON_TR_FEED_DEADLINE before it is
#: given up (its SKUs sent again): past that, Amazon is stuck rather than slow.
IN_PROGRESS_PATIENCE = 3


def poll(pusher: Pusher) -> int:
    """Ask Amazon about this store's open feeds; returns how many finished."""
    finished = 0
    reconcile(pusher)
    open_feeds = list(pusher.db.scalars(select(ListingFeed).where(
        ListingFeed.store_id == pusher.store.id, ListingFeed.status != SUBMITTING,
        ListingFeed.status.notin_(FINAL_STATUSES)).order_by(ListingFeed.id)))
    deadline = feed_deadline()
    for feed in open_feeds:
        answer = pusher.client.get_feed(feed.feed_id)
        feed.status = answer.get("processingStatus") or feed.status
        age = (pusher.now() - feed.submitted_at).total_seconds() if feed.submitted_at is not None else 0.0
        if feed.status == "IN_QUEUE" and age >= deadline:
            # Amazon has not started it: cancel it first, so it can never land after the newer values
            feed.status = cancel(pusher, feed)
            if feed.status == "CANCELLED":
                expire_feed(pusher, feed, deadline)
        elif feed.status == "IN_PROGRESS" and age >= IN_PROGRESS_PATIENCE * deadline:
            # a feed Amazon is processing is waited for, not duplicated; one it sits on for ever is given up
            expire_feed(pusher, feed, deadline)
        if feed.status == "DONE":
            apply_report(pusher, feed, report(pusher, answer["resultFeedDocumentId"]))
        elif feed.status in ("FATAL", "CANCELLED"):
            found = None
            if answer.get("resultFeedDocumentId"):
                found = report(pusher, answer["resultFeedDocumentId"])
            fail_feed(pusher, feed, found)
        if feed.status in FINAL_STATUSES:
            feed.finished_at = pusher.now()
            finished += 1
        pusher.db.commit()
    return finished


def cancel(pusher: Pusher, feed: ListingFeed) -> str:
    """cancelFeed, then Amazon's status of the feed: CANCELLED, or IN_PROGRESS when it started meanwhile."""
    try:
        pusher.client.cancel_feed(feed.feed_id)
    except InvalidInputError:
        pass  # only an IN_QUEUE feed can be cancelled: it has started since the last look
    status = pusher.client.get_feed(feed.feed_id).get("processingStatus") or feed.status
    if status == "CANCELLED":
        pusher.count(feeds_cancelled=1)
    return status


def open_feed_count(pusher: Pusher) -> int:
    return len(list(pusher.db.scalars(select(ListingFeed.id).where(
        ListingFeed.store_id == pusher.store.id, ListingFeed.status.notin_(FINAL_STATUSES)))))


def report(pusher: Pusher, document_id: str, attempts: int = 3) -> dict:
    """The processing report; a document cut off in transit is fetched again (a fresh URL each time)."""
    for attempt in range(attempts):
        document = pusher.client.get_feed_document(document_id)
        raw = pusher.client.download_feed_document(document)
        try:
            found = json.loads(raw.decode("utf-8"))
            if isinstance(found, dict):
                return found
        except (UnicodeDecodeError, ValueError):
            pass
        log.info("store %s: feed report %s unreadable (try %s)", pusher.store.id, document_id, attempt + 1)
    # the feed stays open: the next poll reads the report again
    raise MalformedResponseError("the feed's processing report is not valid JSON", operation="downloadFeedDocument")


def apply_report(pusher: Pusher, feed: ListingFeed, processing_report: dict) -> None:
    """Each message's verdict onto its link.

    An ERROR without a messageId is about the whole feed (json-listings-feed-processing-report-
    schema-v2: messageId is optional on an issue): every message of the feed failed with it.
    The summary's counts are checked too: a report saying fewer messages were accepted than
    it shows as clean is not trusted for any SKU.
    """
    by_message: dict[int, list[dict]] = {}
    whole_feed: list[dict] = []
    for issue in processing_report.get("issues") or []:
        if not isinstance(issue, dict):
            continue
        if isinstance(issue.get("messageId"), int):
            by_message.setdefault(issue["messageId"], []).append(issue)
        elif issue.get("severity") == "ERROR":
            whole_feed.append(issue)
    links = list(pusher.db.scalars(select(ListingLink).where(ListingLink.feed_id == feed.feed_id)))
    summary = processing_report.get("summary") or {}
    clean = sum(1 for link in links if not any(i.get("severity") == "ERROR"
                                              for i in by_message.get((link.pending or {}).get("m"), [])))
    accepted = summary.get("messagesAccepted")
    if not whole_feed and isinstance(accepted, int) and accepted < clean:
        whole_feed.append({"code": "amazon_tr.summary", "severity": "ERROR",
                           "message": in_turkish(_l("Amazon's report accepts %(accepted)s of the feed's messages but "
                                                    "names no error for %(clean)s: nothing is taken as accepted.",
                                                    accepted=accepted, clean=clean))})
    now = pusher.now()
    for link in links:
        pending = link.pending or {}
        issues = whole_feed + by_message.get(pending.get("m"), [])
        status = "INVALID" if any(i.get("severity") == "ERROR" for i in issues) else "ACCEPTED"
        apply_outcome(link, pending, status, issues, product_type=link.product_type, now=now, counts=pusher.count)
        if whole_feed:
            link.failed_hash = None  # the feed failed, not these values: they go again next time
        link.feed_id = None
        link.pending_json = None
    feed.error = None


def fail_feed(pusher: Pusher, feed: ListingFeed, processing_report: dict | None) -> None:
    messages = "; ".join(i.get("message", "") for i in (processing_report or {}).get("issues") or [])
    feed.error = messages or feed.status
    pusher.db.execute(update(ListingLink).where(ListingLink.feed_id == feed.feed_id).values(
        feed_id=None, pending_json=None,
        issues_json=json.dumps([our_issue("feed_failed", status=feed.status)], ensure_ascii=False)))
    pusher.count(feeds_failed=1)


def expire_feed(pusher: Pusher, feed: ListingFeed, deadline: float) -> None:
    """Amazon sits on the feed too long: free its SKUs so the next push sends them again.

    The feed is never submitted again as it was; a report Amazon might still
    produce for it is not read, since its SKUs now belong to a newer send.
    """
    hours = f"{deadline / 3600:g}"
    feed.status = "EXPIRED"
    feed.error = in_turkish(_l("Amazon had not processed this feed after %(hours)s hours; it was given up and "
                               "its products are sent again.", hours=hours))
    pusher.db.execute(update(ListingLink).where(ListingLink.feed_id == feed.feed_id).values(
        feed_id=None, pending_json=None,
        issues_json=json.dumps([our_issue("feed_deadline", hours=hours)], ensure_ascii=False)))
    log.warning("store %s: feed %s not processed after %s s; its products are sent again",
                pusher.store.id, feed.feed_id, deadline)
    pusher.count(feeds_expired=1)
