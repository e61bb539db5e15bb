"""Feeds 2021-06-30 with JSON_LISTINGS_FEED, processed over the state's clock.

The operations are here; how a feed advances and is applied is in feed_processing.py.
"""
from __future__ import annotations

import re
from typing import Any

from flask import request

from .dispatch import ApiError, Call, invalid, operation
from .feed_processing import advance_feed, doc_id as _doc_id
from .models import parse_date_time
from .seed import iso
from .state import utc


def _doc_url(doc_id: str) -> str:
    # url_root keeps the prefix the sandbox is mounted under (SCRIPT_NAME: /amazon-sandbox in the demo)
    return request.url_root.rstrip("/") + "/_documents/" + doc_id


@operation("createFeedDocument")
def create_feed_document(call: Call):
    content_type = (call.body or {}).get("contentType")
    if not content_type:
        raise invalid("contentType is required.")
    doc_id = _doc_id()
    with call.state.lock:
        call.state.documents[doc_id] = {"kind": "input", "contentType": content_type,
                                        "seller": call.seller_id, "content": None,
                                        "uploaded": False}
    return 201, {"feedDocumentId": doc_id, "url": _doc_url(doc_id)}


@operation("createFeed")
def create_feed(call: Call):
    body = call.body or {}
    feed_type = body.get("feedType")
    if not re.fullmatch(r"[A-Z0-9_]+", feed_type or ""):
        raise invalid(f"Invalid feedType '{feed_type}'.")
    for mid in body.get("marketplaceIds") or []:
        if mid not in call.state.sellers[call.seller_id]["marketplaces"]:
            raise invalid(f"The seller does not participate in marketplace '{mid}'.")
    doc = call.state.documents.get(body.get("inputFeedDocumentId", ""))
    if doc is None or doc["seller"] != call.seller_id or doc["kind"] != "input":
        raise invalid(f"Invalid inputFeedDocumentId '{body.get('inputFeedDocumentId')}'.")
    feed_id = call.state.new_id(11)
    state, now = call.state, call.state.now_ts()
    forced, held = state.take_feed_outcome() or (None, 0.0)
    if forced == "queued":
        # "IN_QUEUE: The feed has not yet started processing. It may be waiting for another
        # IN_PROGRESS feed" (the model's processingStatus); held ``held`` seconds, for ever with 0
        held = held or float("inf")
    else:
        held = 0.0
    with state.lock:
        state.feeds[feed_id] = {
            "feedId": feed_id, "feedType": feed_type, "marketplaceIds": body["marketplaceIds"],
            "created": now, "inputFeedDocumentId": body["inputFeedDocumentId"],
            "seller": call.seller_id, "processingStatus": "IN_QUEUE", "processed": False,
            "startAt": now + state.feed_timing.start_after + held,
            "doneAt": now + state.feed_timing.done_after + held, "forced": forced,
        }
    return 202, {"feedId": feed_id}


@operation("cancelFeed")
def cancel_feed(call: Call):
    """"Only feeds with processingStatus=IN_QUEUE can be cancelled. Cancelled feeds are returned in
    subsequent calls to the getFeed and getFeeds operations" (the model's description); 200 has
    no body in the model. Assumption: a feed in any other status is refused with 400
    InvalidInput (the model's 400: "Request has missing or invalid parameters and cannot be
    parsed"), as Amazon documents no other answer for it."""
    state = call.state
    with state.lock:
        feed = state.feeds.get(call.params["feedId"])
        if feed is None or feed["seller"] != call.seller_id:
            raise ApiError(404, "NotFound", f"Feed {call.params['feedId']} was not found.")
        advance_feed(state, call.registry, feed)
        if feed["processingStatus"] != "IN_QUEUE":
            raise invalid(f"Feed {feed['feedId']} is {feed['processingStatus']}; only feeds with "
                          f"processingStatus IN_QUEUE can be cancelled.")
        feed["processingStatus"] = "CANCELLED"
    return 200, None


def _feed_view(feed: dict) -> dict:
    out = {"feedId": feed["feedId"], "feedType": feed["feedType"],
           "marketplaceIds": feed["marketplaceIds"], "createdTime": iso(utc(feed["created"])),
           "processingStatus": feed["processingStatus"]}
    if feed["processingStatus"] in ("IN_PROGRESS", "DONE", "FATAL"):
        out["processingStartTime"] = iso(utc(feed["startAt"]))
    if feed["processingStatus"] in ("DONE", "FATAL"):
        out["processingEndTime"] = iso(utc(feed["doneAt"]))
        out["resultFeedDocumentId"] = feed["resultFeedDocumentId"]
    return out


@operation("getFeed")
def get_feed(call: Call):
    state = call.state
    with state.lock:
        feed = state.feeds.get(call.params["feedId"])
        if feed is None or feed["seller"] != call.seller_id:
            raise ApiError(404, "NotFound", f"Feed {call.params['feedId']} was not found.")
        advance_feed(state, call.registry, feed)
        return 200, _feed_view(feed)


FEEDS_FILTERS = ("feedTypes", "marketplaceIds", "processingStatuses", "createdSince", "createdUntil", "pageSize")
FEEDS_RETENTION_DAYS = 90


@operation("getFeeds")
def get_feeds(call: Call):
    """The seller's feeds, oldest first, filtered as the model says; a token carries the filters."""
    state, p = call.state, call.params
    token = p.get("nextToken")
    if token is not None:
        if any(name in p for name in FEEDS_FILTERS):
            raise invalid("nextToken must be the only parameter when it is given.")
        with state.lock:
            saved = state.pagination_tokens.get(token)
        if saved is None or saved["seller"] != call.seller_id or saved.get("operation") != "getFeeds":
            raise invalid("Invalid nextToken.")
        p, offset = saved["params"], saved["offset"]
    else:
        if not p.get("feedTypes"):
            raise invalid("Either feedTypes or nextToken is required.")
        offset = 0
    now = state.now_ts()
    since_s, until_s = p.get("createdSince"), p.get("createdUntil")
    since = parse_date_time(since_s) if since_s else utc(now - FEEDS_RETENTION_DAYS * 86400)
    until = parse_date_time(until_s) if until_s else utc(now)
    if since is None or until is None:
        raise invalid(f"Invalid date-time '{since_s if since is None else until_s}'.")
    if until < since:
        raise invalid("createdUntil must not be before createdSince.")
    size = p.get("pageSize", 10)
    if not 1 <= size <= 100:
        raise invalid("pageSize must be between 1 and 100.")
    types = set(p["feedTypes"])
    statuses = set(p.get("processingStatuses") or [])
    marketplaces = set(p.get("marketplaceIds") or [])
    with state.lock:
        matches = []
        for feed in state.feeds.values():
            if feed["seller"] != call.seller_id or feed["feedType"] not in types:
                continue
            # Amazon reports creation times to the second
            created = utc(int(feed["created"]))
            if created < since or created > until:
                continue
            if marketplaces and not marketplaces & set(feed["marketplaceIds"]):
                continue
            advance_feed(state, call.registry, feed)
            if statuses and feed["processingStatus"] not in statuses:
                continue
            matches.append(feed)
        matches.sort(key=lambda f: (f["created"], f["feedId"]))
        body: dict[str, Any] = {"feeds": [_feed_view(f) for f in matches[offset:offset + size]]}
        if offset + size < len(matches):
            next_token = state.new_secret("", 30)
            # the next page keeps the first request's window, as a "now" that moved would shift it
            state.pagination_tokens[next_token] = {
                "operation": "getFeeds", "seller": call.seller_id, "offset": offset + size,
                "params": {**p, "createdSince": iso(since), "createdUntil": iso(until)}}
            body["nextToken"] = next_token
    return 200, body


@operation("getFeedDocument")
def get_feed_document(call: Call):
    doc_id = call.params["feedDocumentId"]
    with call.state.lock:
        doc = call.state.documents.get(doc_id)
        if doc is None or doc["seller"] != call.seller_id:
            raise ApiError(404, "NotFound", f"Feed document {doc_id} was not found.")
        body = {"feedDocumentId": doc_id, "url": _doc_url(doc_id)}
        if doc.get("compressionAlgorithm"):
            body["compressionAlgorithm"] = doc["compressionAlgorithm"]
    return 200, body
