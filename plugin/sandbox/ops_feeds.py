"""Feeds 2021-06-30 with JSON_LISTINGS_FEED, processed over the state's clock.

A feed moves IN_QUEUE -> IN_PROGRESS -> DONE as (simulated) time passes; it is
applied to the listings the first time someone looks after it is due, and its
processing report is stored gzip-compressed, as Amazon hands it out.
"""
from __future__ import annotations

import gzip
import json
import re
import uuid
from typing import Any

import jsonschema
from flask import request

from . import listings
from .dispatch import ApiError, Call, invalid, operation
from .models import FEED_SCHEMA_FILE, FORMAT_CHECKER, ModelRegistry, parse_date_time
from .seed import iso
from .state import SandboxState, utc

SUPPORTED_FEED_TYPES = {"JSON_LISTINGS_FEED"}


def _doc_id() -> str:
    return "amzn1.tortuga.4.eu." + uuid.uuid4().hex


def _doc_url(doc_id: str) -> str:
    return request.host_url.rstrip("/") + "/_documents/" + doc_id


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
    with call.state.lock:
        call.state.feeds[feed_id] = {
            "feedId": feed_id, "feedType": feed_type, "marketplaceIds": body["marketplaceIds"],
            "created": call.state.now_ts(), "inputFeedDocumentId": body["inputFeedDocumentId"],
            "seller": call.seller_id, "processingStatus": "IN_QUEUE", "processed": False,
            "startAt": call.state.now_ts() + call.state.feed_timing.start_after,
            "doneAt": call.state.now_ts() + call.state.feed_timing.done_after,
            "forced": call.state.take_feed_outcome(),
        }
    return 202, {"feedId": feed_id}


def advance_feed(state: SandboxState, registry: ModelRegistry, feed: dict) -> None:
    """Bring a feed's status up to the state's clock, processing it when due."""
    now = state.now_ts()
    if feed["processingStatus"] in ("DONE", "FATAL", "CANCELLED"):
        return
    if now >= feed["startAt"]:
        feed["processingStatus"] = "IN_PROGRESS"
    if feed.get("forced") == "stuck":
        return
    if now >= feed["doneAt"] and not feed["processed"]:
        feed["processed"] = True
        if feed.get("forced") == "fatal":
            status, report = _fatal(feed, "The feed could not be processed because of an internal error.",
                                    "INTERNAL_ERROR")
        else:
            status, report = process_feed(state, registry, feed)
        result_id = _doc_id()
        state.documents[result_id] = {
            "kind": "result", "contentType": "application/json", "seller": feed["seller"],
            "content": gzip.compress(json.dumps(report, ensure_ascii=False).encode("utf-8")),
            "compressionAlgorithm": "GZIP", "report": report,
        }
        feed["resultFeedDocumentId"] = result_id
        feed["processingStatus"] = status


def _fatal(feed: dict, message: str, code: str = "FATAL") -> tuple[str, dict]:
    return "FATAL", {
        "header": {"sellerId": feed["seller"], "version": "2.0", "feedId": feed["feedId"]},
        "issues": [{"code": code, "severity": "ERROR", "message": message}],
        "summary": {"errors": 1, "warnings": 0, "messagesProcessed": 0, "messagesAccepted": 0,
                    "messagesInvalid": 0},
    }


def process_feed(state: SandboxState, registry: ModelRegistry, feed: dict) -> tuple[str, dict]:
    doc = state.documents[feed["inputFeedDocumentId"]]
    if feed["feedType"] not in SUPPORTED_FEED_TYPES:
        # Amazon takes other feed types; the sandbox only knows how to apply this one
        return _fatal(feed, f"The sandbox processes only JSON_LISTINGS_FEED, not "
                            f"{feed['feedType']}.", "UNSUPPORTED_FEED_TYPE")
    if not doc.get("uploaded"):
        return _fatal(feed, "The feed document was never uploaded.", "DOCUMENT_MISSING")
    raw = doc["content"] or b""
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _fatal(feed, f"The feed document is not valid JSON: {exc}", "INVALID_JSON")
    if not isinstance(document, dict):
        return _fatal(feed, "The feed document must be a JSON object.", "INVALID_DOCUMENT")

    # Schema errors inside one message make that message invalid; anything
    # else (header, message count) rejects the whole feed, as Amazon does.
    bad_messages: dict[int, str] = {}
    schema = registry.json_schema(FEED_SCHEMA_FILE)
    if schema is not None:
        validator = jsonschema.Draft7Validator(schema, format_checker=FORMAT_CHECKER)
        for err in validator.iter_errors(document):
            path = list(err.absolute_path)
            if len(path) >= 2 and path[0] == "messages" and isinstance(path[1], int):
                bad_messages.setdefault(path[1], _schema_message(err))
            else:
                where = "/".join(map(str, path)) or "document"
                return _fatal(feed, f"The feed document does not match the JSON_LISTINGS_FEED "
                                    f"schema at '{where}': {err.message}", "SCHEMA_VALIDATION")
    header = document.get("header") or {}
    messages = document.get("messages") or []
    if header.get("sellerId") != feed["seller"]:
        return _fatal(feed, "header.sellerId does not match the seller who submitted the feed.",
                      "SELLER_MISMATCH")
    if header.get("version") != "2.0" or not isinstance(messages, list) or not messages:
        return _fatal(feed, "header.version must be \"2.0\" and messages must not be empty.")

    locale = header.get("issueLocale")
    marketplace_id = feed["marketplaceIds"][0]
    issues: list[dict] = []
    accepted = invalid_count = 0
    skus: list[str] = []
    for index, message in enumerate(messages):
        mid = message.get("messageId") if isinstance(message, dict) else None
        sku = message.get("sku") if isinstance(message, dict) else None

        def add(issue: dict) -> None:
            entry = {"severity": issue["severity"], "message": issue["message"],
                     "code": issue.get("code", "ERROR")}
            if isinstance(mid, int) and mid >= 1:
                entry["messageId"] = mid
            if isinstance(sku, str) and sku:
                entry["sku"] = sku
            if issue.get("attributeNames"):
                entry["attributeName"] = issue["attributeNames"][0]
            issues.append(entry)

        if index in bad_messages or schema is None and not (isinstance(message, dict) and sku):
            add({"severity": "ERROR", "code": "4000001",
                 "message": bad_messages.get(index, "The message is not valid.")})
            invalid_count += 1
            continue
        outcome = _apply_message(state, feed["seller"], message, locale)
        if outcome is None:
            outcome = listings.Outcome("INVALID", [listings.not_found_issue(sku, locale)])
        for issue in outcome.issues:
            add(issue)
        if outcome.status == "INVALID":
            invalid_count += 1
        else:
            accepted += 1
            skus.append(sku)
    report: dict[str, Any] = {
        "header": {"sellerId": feed["seller"], "version": "2.0", "feedId": feed["feedId"]},
        "issues": issues,
        "summary": {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": len(messages), "messagesAccepted": accepted,
            "messagesInvalid": invalid_count,
        },
    }
    wanted = (header.get("report") or {}).get("includedData")
    if wanted:
        report["header"]["report"] = {"includedData": wanted, "apiVersion": "2021-08-01"}
        items = []
        for sku in dict.fromkeys(skus):
            listing = state.listings.get(feed["seller"], {}).get(sku)
            if listing is not None:
                items.append(listings.item_view(listing, marketplace_id, wanted))
        report["items"] = items
        report["summary"]["itemSummary"] = {
            "items": len(items), "errors": 0,
            "warnings": sum(1 for it in items for i in it.get("issues", [])
                            if i.get("severity") == "WARNING")}
    return "DONE", report


def _schema_message(err: jsonschema.ValidationError) -> str:
    path = "/".join(map(str, list(err.absolute_path)[2:]))
    return f"{path or 'message'}: {err.message}"[:1000]


def _apply_message(state: SandboxState, seller_id: str, message: dict,
                   locale: str | None) -> listings.Outcome | None:
    op = message.get("operationType")
    sku = message["sku"]
    if op == "DELETE":
        listings.delete_listing(state, seller_id, sku)
        return listings.Outcome("ACCEPTED")
    if op == "PATCH":
        try:
            return listings.patch_listing(state, seller_id, sku,
                                          product_type=message.get("productType", "PRODUCT"),
                                          patches=message.get("patches") or [], locale=locale)
        except listings.PatchPathError as exc:
            return listings.Outcome("INVALID", [{"severity": "ERROR", "code": "4000003",
                                                  "message": str(exc)}])
    return listings.put_listing(state, seller_id, sku,
                                product_type=message.get("productType", "PRODUCT"),
                                attributes=message.get("attributes") or {},
                                requirements=message.get("requirements"), locale=locale,
                                partial=(op == "PARTIAL_UPDATE"))


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
