"""Feeds 2021-06-30 with JSON_LISTINGS_FEED on the local Amazon."""
from __future__ import annotations

import gzip
import json

import requests

from flask_amazon_tr.sandbox.seed import TR_MARKETPLACE_ID, TR_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

FEEDS = "/feeds/2021-06-30"
CT = "application/json; charset=UTF-8"


def _submit(session, base, document, content_type=CT, upload_type=None):
    doc = session.post(base + FEEDS + "/documents", json={"contentType": content_type})
    assert doc.status_code == 201, doc.text
    doc = doc.json()
    up = requests.put(doc["url"], data=json.dumps(document).encode("utf-8"),
                      headers={"Content-Type": upload_type or content_type})
    feed = session.post(base + FEEDS + "/feeds", json={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [TR_MARKETPLACE_ID],
        "inputFeedDocumentId": doc["feedDocumentId"]})
    return up, feed


def _doc(messages, **header):
    return {"header": {"sellerId": TR_SELLER_ID, "version": "2.0", "issueLocale": "tr_TR",
                       **header}, "messages": messages}


def _report(session, base, feed):
    meta = session.get(f"{base}{FEEDS}/documents/{feed['resultFeedDocumentId']}").json()
    assert meta["compressionAlgorithm"] == "GZIP"
    raw = requests.get(meta["url"]).content
    return json.loads(gzip.decompress(raw))


def test_feed_lifecycle_applies_messages_and_reports(sim_session, sim_sandbox, sim_clock):
    base = sim_sandbox.url
    document = _doc([
        {"messageId": 1, "sku": "DEMO-0005", "operationType": "PATCH", "productType": "BEAUTY",
         "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 33}]}]},
        {"messageId": 2, "sku": "DEMO-0006", "operationType": "PATCH", "productType": "KITCHEN",
         "patches": [{"op": "replace", "path": "/attributes/item_name",
                      "value": [{"value": "Başka ad", "marketplace_id": TR_MARKETPLACE_ID}]},
                     {"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}]}]},
        {"messageId": 3, "sku": "DEMO-0007", "operationType": "DELETE"},
        {"messageId": 4, "sku": "YENİ-1", "operationType": "UPDATE", "productType": "HOME",
         "attributes": {"item_name": [{"value": "Eksik"}]}},
    ], report={"includedData": ["summaries", "fulfillmentAvailability"], "apiVersion": "2021-08-01"})
    up, feed = _submit(sim_session, base, document)
    assert up.status_code == 200 and feed.status_code == 202
    feed_id = feed.json()["feedId"]
    seen = []
    for _ in range(8):
        f = sim_session.get(f"{base}{FEEDS}/feeds/{feed_id}").json()
        seen.append(f["processingStatus"])
        if f["processingStatus"] == "DONE":
            break
        sim_clock.advance(5)
    assert seen[0] == "IN_QUEUE" and "IN_PROGRESS" in seen and seen[-1] == "DONE"
    report = _report(sim_session, base, f)
    assert report["header"]["feedId"] == feed_id
    s = report["summary"]
    assert (s["messagesProcessed"], s["messagesAccepted"], s["messagesInvalid"]) == (4, 3, 1)
    by_msg = {}
    for issue in report["issues"]:
        by_msg.setdefault(issue["messageId"], []).append(issue)
    assert by_msg[2][0]["severity"] == "WARNING" and by_msg[2][0]["attributeName"] == "item_name"
    assert any(i["severity"] == "ERROR" for i in by_msg[4])
    listings = sim_sandbox.state.listings[TR_SELLER_ID]
    assert listings["DEMO-0005"]["attributes"]["fulfillment_availability"][0]["quantity"] == 33
    assert listings["DEMO-0006"]["attributes"]["fulfillment_availability"][0]["quantity"] == 2
    assert "DEMO-0007" not in listings and "YENİ-1" not in listings
    assert {i["sku"] for i in report["items"]} == {"DEMO-0005", "DEMO-0006"}


def test_upload_content_type_must_match(sandbox_session, sandbox):
    up, _ = _submit(sandbox_session, sandbox.url, _doc([]), upload_type="text/plain")
    assert up.status_code == 403 and "SignatureDoesNotMatch" in up.text


def test_document_not_matching_schema_is_fatal(require_models, sim_session, sim_sandbox, sim_clock):
    bad = {"header": {"sellerId": TR_SELLER_ID, "version": "1.0"}, "messages": []}
    _, feed = _submit(sim_session, sim_sandbox.url, bad)
    sim_clock.advance(60)
    f = sim_session.get(f"{sim_sandbox.url}{FEEDS}/feeds/{feed.json()['feedId']}").json()
    assert f["processingStatus"] == "FATAL"
    report = _report(sim_session, sim_sandbox.url, f)
    assert report["summary"]["errors"] == 1 and report["issues"][0]["severity"] == "ERROR"


def test_delete_message_with_attributes_is_invalid(require_models, sim_session, sim_sandbox, sim_clock):
    doc = _doc([{"messageId": 1, "sku": "DEMO-0001", "operationType": "DELETE",
                 "productType": "HOME", "attributes": {}}])
    _, feed = _submit(sim_session, sim_sandbox.url, doc)
    sim_clock.advance(60)
    f = sim_session.get(f"{sim_sandbox.url}{FEEDS}/feeds/{feed.json()['feedId']}").json()
    report = _report(sim_session, sim_sandbox.url, f)
    assert report["summary"]["messagesInvalid"] == 1
    assert "DEMO-0001" in sim_sandbox.state.listings[TR_SELLER_ID]


def test_create_feed_validation(sandbox_session, sandbox):
    base = sandbox.url + FEEDS
    assert sandbox_session.post(base + "/documents", json={}).status_code == 400
    no_doc = sandbox_session.post(base + "/feeds", json={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [TR_MARKETPLACE_ID],
        "inputFeedDocumentId": "amzn1.tortuga.4.eu.nope"})
    assert no_doc.status_code == 400
    no_mp = sandbox_session.post(base + "/feeds", json={
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [], "inputFeedDocumentId": "x"})
    assert no_mp.status_code == 400
    assert sandbox_session.get(base + "/feeds/12345").status_code == 404
