"""How the local Amazon processes a JSON_LISTINGS_FEED once its time has come.

A feed moves IN_QUEUE -> IN_PROGRESS -> DONE as (simulated) time passes; it is applied to the
listings the first time someone looks after it is due, and its processing report is stored
gzip-compressed, as Amazon hands it out. A test can force the outcome of the next feeds
(SandboxState.force_feed_outcome): FATAL, stuck IN_PROGRESS, held IN_QUEUE, or DONE with a
message-less error that fails the whole feed.
"""
from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import jsonschema

from . import listings
from .models import FEED_SCHEMA_FILE, FORMAT_CHECKER, ModelRegistry
from .state import SandboxState

SUPPORTED_FEED_TYPES = {"JSON_LISTINGS_FEED"}


def doc_id() -> str:
    return "amzn1.tortuga.4.eu." + uuid.uuid4().hex


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
        elif feed.get("forced") == "feed_error":
            status, report = _feed_error(feed)
        else:
            status, report = process_feed(state, registry, feed)
        result_id = doc_id()
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


def _feed_error(feed: dict) -> tuple[str, dict]:
    """DONE, but an issue with no messageId rejected the feed: nothing applied, nothing accepted.

    The report schema: messageId is "Not provided if the error is not related to a message (e.g.
    feed formatting issue)". The shape is an integrator's report of such a feed (code 4002001
    "Item 'Feed' cannot be parsed.", all counts 0: amzn/selling-partner-api-docs#2201).
    Assumption: processingStatus DONE, not FATAL, as in that report."""
    return "DONE", {
        "header": {"sellerId": feed["seller"], "version": "2.0", "feedId": feed["feedId"]},
        "issues": [{"code": "4002001", "severity": "ERROR", "message": "Item 'Feed' cannot be parsed."}],
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
            listing = listings.visible(state, state.listings.get(feed["seller"], {}).get(sku))
            if listing is not None:
                items.append(listings.item_view(state, listing, marketplace_id, wanted))
        report["items"] = items
        report["summary"]["itemSummary"] = {
            "items": len(items),
            "errors": sum(1 for it in items for i in it.get("issues", []) if i.get("severity") == "ERROR"),
            "warnings": sum(1 for it in items for i in it.get("issues", [])
                            if i.get("severity") == "WARNING")}
    return "DONE", report


def _schema_message(err: jsonschema.ValidationError) -> str:
    path = "/".join(map(str, list(err.absolute_path)[2:]))
    return f"{path or 'message'}: {err.message}"[:1000]


def _apply_message(state: SandboxState, seller_id: str, message: dict,
                   locale: str | None) -> listings.Outcome:
    """One message, as the Listings Items API would take it: UPDATE is putListingsItem (a full
    replace), PATCH patchListingsItem, PARTIAL_UPDATE "equivalent to using PATCH with the replace
    op" (the feed schema's operationType description)."""
    op = message.get("operationType")
    sku = message["sku"]
    product_type = message.get("productType", "PRODUCT")
    if op == "DELETE":
        listings.delete_listing(state, seller_id, sku)
        return listings.Outcome("ACCEPTED")
    try:
        if op == "PATCH":
            return listings.patch_listing(state, seller_id, sku, product_type=product_type,
                                          patches=message.get("patches") or [], locale=locale)
        if op == "PARTIAL_UPDATE":
            return listings.partial_update(state, seller_id, sku, product_type=product_type,
                                           attributes=message.get("attributes") or {}, locale=locale)
    except listings.PatchPathError as exc:
        return listings.Outcome("INVALID", [{"severity": "ERROR", "code": "4000003", "message": str(exc)}])
    return listings.put_listing(state, seller_id, sku, product_type=product_type,
                                attributes=message.get("attributes") or {},
                                requirements=message.get("requirements"), locale=locale)
