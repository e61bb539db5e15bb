"""JSON_LISTINGS_FEED on the local Amazon: full-replace UPDATE, PATCH and PARTIAL_UPDATE to an
unknown SKU, feeds that wait IN_QUEUE, cancelFeed, and reports with a message-less error."""
from __future__ import annotations

import gzip
import json

import requests

from flask_amazon_tr.sandbox.seed import TR_MARKETPLACE_ID, TR_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

FEEDS = "/feeds/2021-06-30"
CT = "application/json; charset=UTF-8"
STOCK = [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]


def _feed(session, base, messages):
    doc = session.post(base + FEEDS + "/documents", json={"contentType": CT}).json()
    document = {"header": {"sellerId": TR_SELLER_ID, "version": "2.0"}, "messages": messages}
    assert requests.put(doc["url"], data=json.dumps(document).encode(), headers={"Content-Type": CT}).ok
    r = session.post(base + FEEDS + "/feeds", json={"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [
        TR_MARKETPLACE_ID], "inputFeedDocumentId": doc["feedDocumentId"]})
    assert r.status_code == 202, r.text
    return r.json()["feedId"]


def _status(session, base, feed_id):
    r = session.get(f"{base}{FEEDS}/feeds/{feed_id}")
    assert r.status_code == 200, r.text
    return r.json()


def _report(session, base, feed):
    meta = session.get(f"{base}{FEEDS}/documents/{feed['resultFeedDocumentId']}").json()
    return json.loads(gzip.decompress(requests.get(meta["url"]).content))


def _stock_patch(n, sku, qty=3):
    return {"messageId": n, "sku": sku, "operationType": "PATCH", "productType": "HOME", "patches": [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}]}]}


def test_update_replaces_the_whole_item_and_patch_reaches_unknown_skus(sim_session, sim_sandbox, sim_clock):
    base, listings = sim_sandbox.url, sim_sandbox.state.listings[TR_SELLER_ID]
    before = listings["DEMO-0008"]["attributes"]
    update = {"messageId": 1, "sku": "DEMO-0008", "operationType": "UPDATE", "productType": "GROCERY",
              "attributes": {k: before[k] for k in ("condition_type", "merchant_suggested_asin", "item_name",
                                                     "brand")}}
    partial = {"messageId": 3, "sku": "YOK-PARTIAL", "operationType": "PARTIAL_UPDATE", "productType": "HOME",
               "attributes": {"fulfillment_availability": STOCK}}
    feed_id = _feed(sim_session, base, [update, _stock_patch(2, "YOK-PATCH"), partial])
    sim_clock.advance(60)
    report = _report(sim_session, base, _status(sim_session, base, feed_id))
    assert report["summary"]["messagesAccepted"] == 3, report
    # "any existing attributes data will be replaced with the provided attributes"
    assert set(listings["DEMO-0008"]["attributes"]) == set(update["attributes"])
    assert "purchasable_offer" not in listings["DEMO-0008"]["attributes"]
    # Amazon takes sales terms for a SKU it does not know: an offer with nothing to sell
    for sku in ("YOK-PATCH", "YOK-PARTIAL"):
        assert listings[sku]["attributes"]["fulfillment_availability"] == STOCK and not listings[sku]["asin"]


def test_a_feed_waits_in_queue_and_can_be_cancelled_only_there(sim_session, sim_sandbox, sim_clock):
    base = sim_sandbox.url
    timing = requests.post(base + "/_sandbox/feed-timing", json={"queue_seconds": 600, "processing_seconds": 30})
    assert timing.status_code == 200 and timing.json() == {"queue_seconds": 600.0, "processing_seconds": 30.0}
    waiting = _feed(sim_session, base, [_stock_patch(1, "DEMO-0009", 41)])
    sim_clock.advance(300)
    assert _status(sim_session, base, waiting)["processingStatus"] == "IN_QUEUE"
    cancel = sim_session.delete(f"{base}{FEEDS}/feeds/{waiting}")
    assert cancel.status_code == 200 and cancel.content == b""
    sim_clock.advance(1000)  # (the access token lives an hour of simulated time)
    assert _status(sim_session, base, waiting)["processingStatus"] == "CANCELLED"
    assert sim_sandbox.state.listings[TR_SELLER_ID]["DEMO-0009"]["attributes"]["fulfillment_availability"][0][
        "quantity"] != 41
    listed = sim_session.get(base + FEEDS + "/feeds", params={"feedTypes": "JSON_LISTINGS_FEED",
                                                             "processingStatuses": "CANCELLED"}).json()
    assert [f["feedId"] for f in listed["feeds"]] == [waiting]
    running = _feed(sim_session, base, [_stock_patch(1, "DEMO-0009", 42)])
    sim_clock.advance(610)
    assert _status(sim_session, base, running)["processingStatus"] == "IN_PROGRESS"
    refused = sim_session.delete(f"{base}{FEEDS}/feeds/{running}")
    assert refused.status_code == 400 and refused.json()["errors"][0]["code"] == "InvalidInput"
    sim_clock.advance(60)
    assert _status(sim_session, base, running)["processingStatus"] == "DONE"
    assert sim_session.delete(f"{base}{FEEDS}/feeds/{running}").status_code == 400
    assert sim_session.delete(f"{base}{FEEDS}/feeds/{waiting}").status_code == 400
    assert sim_session.delete(f"{base}{FEEDS}/feeds/123").status_code == 404
    assert requests.post(base + "/_sandbox/feed-timing", json={"queue_seconds": -1}).status_code == 400


def test_one_feed_can_be_held_in_queue(sim_session, sim_sandbox, sim_clock):
    base = sim_sandbox.url
    assert requests.post(base + "/_sandbox/feed-outcome", json={"outcome": "queued", "seconds": 1200}).ok
    held = _feed(sim_session, base, [_stock_patch(1, "DEMO-0010")])
    normal = _feed(sim_session, base, [_stock_patch(1, "DEMO-0011")])
    sim_clock.advance(600)
    assert _status(sim_session, base, held)["processingStatus"] == "IN_QUEUE"
    assert _status(sim_session, base, normal)["processingStatus"] == "DONE"
    sim_clock.advance(700)
    assert _status(sim_session, base, held)["processingStatus"] == "DONE"


def test_a_message_less_error_fails_the_whole_feed(sim_session, sim_sandbox, sim_clock):
    base = sim_sandbox.url
    assert requests.post(base + "/_sandbox/feed-outcome", json={"outcome": "feed_error"}).ok
    feed_id = _feed(sim_session, base, [_stock_patch(1, "DEMO-0012", 77), _stock_patch(2, "DEMO-0013", 78)])
    sim_clock.advance(60)
    feed = _status(sim_session, base, feed_id)
    assert feed["processingStatus"] == "DONE"
    report = _report(sim_session, base, feed)
    [issue] = report["issues"]
    assert issue["severity"] == "ERROR" and "messageId" not in issue and "sku" not in issue
    assert report["summary"]["messagesAccepted"] == 0 and report["summary"]["errors"] == 1
    listings = sim_sandbox.state.listings[TR_SELLER_ID]
    assert listings["DEMO-0012"]["attributes"]["fulfillment_availability"][0]["quantity"] != 77
    assert listings["DEMO-0013"]["attributes"]["fulfillment_availability"][0]["quantity"] != 78
