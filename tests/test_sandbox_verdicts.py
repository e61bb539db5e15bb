"""Amazon's verdicts on the local Amazon: catalog conflicts (8541), content from a seller who
does not own the brand, PATCH to an unknown SKU, and issues that appear after ACCEPTED."""
from __future__ import annotations

from urllib.parse import quote

import requests

from flask_amazon_tr.sandbox.seed import TR_MARKETPLACE_ID, TR_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

MP = {"marketplaceIds": TR_MARKETPLACE_ID}
TR = {**MP, "issueLocale": "tr_TR"}


def _url(base, sku):
    return f"{base}/listings/2021-08-01/items/{TR_SELLER_ID}/{quote(sku, safe='')}"


def _value(v, tag=True):
    out = {"value": v, "marketplace_id": TR_MARKETPLACE_ID}
    return [{**out, "language_tag": "tr_TR"} if tag else out]


def _offer(price=120.0, qty=5):
    return {"purchasable_offer": [{"marketplace_id": TR_MARKETPLACE_ID, "currency": "TRY",
                                   "our_price": [{"schedule": [{"value_with_tax": price}]}]}],
            "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}]}


def _replace(name, value):
    return {"op": "replace", "path": f"/attributes/{name}", "value": value}


def _strict_page(sandbox, **extra):
    # a catalog page whose brand this seller does not own and whose data Amazon defends (8541)
    return sandbox.state.add_catalog_item(ean="8691111000017", title="Orijinal Bakır Cezve", brand="Usta Bakır",
                                          asin="B0STRICT01", rejects_conflicts=True, **extra)


def test_8541_rejects_the_whole_submission_and_stores_nothing(sandbox_session, sandbox):
    item = _strict_page(sandbox)
    attrs = {"condition_type": _value("new_new", tag=False), "item_name": _value("Benim Cezvem"),
             "brand": _value("Usta Bakır"), "externally_assigned_product_identifier": [
                 {"type": "ean", "value": item["ean"], "marketplace_id": TR_MARKETPLACE_ID}], **_offer()}
    r = sandbox_session.put(_url(sandbox.url, "CEZVE-1"), params=MP, json={"productType": "HOME", "attributes": attrs})
    body = r.json()
    assert r.status_code == 200 and body["status"] == "INVALID"
    [issue] = body["issues"]
    assert (issue["code"], issue["severity"], issue["attributeNames"]) == ("8541", "ERROR", ["item_name"])
    assert "conflicts with the Amazon catalog" in issue["message"] and item["asin"] in issue["message"]
    assert "Benim Cezvem" in issue["message"] and "Orijinal Bakır Cezve" in issue["message"]
    assert sandbox_session.get(_url(sandbox.url, "CEZVE-1"), params=MP).status_code == 404
    # an offer-only request that still carries content is refused the same way, offer and all
    offer_only = sandbox_session.put(_url(sandbox.url, "CEZVE-1"), params=TR, json={
        "productType": "HOME", "requirements": "LISTING_OFFER_ONLY", "attributes": {
            "condition_type": _value("new_new", tag=False), "merchant_suggested_asin": _value(item["asin"], tag=False),
            "item_name": _value("Benim Cezvem"), **_offer()}}).json()
    assert offer_only["status"] == "INVALID" and offer_only["issues"][0]["code"] == "8541"
    assert "Amazon kataloğu" in offer_only["issues"][0]["message"]
    # the catalog's own values, or no content at all, go through
    attrs["item_name"] = _value(item["title"])
    assert sandbox_session.put(_url(sandbox.url, "CEZVE-1"), params=MP,
                               json={"productType": "HOME", "attributes": attrs}).json()["status"] == "ACCEPTED"
    # a later patch that contradicts the page is refused whole: its price does not land either
    patch = sandbox_session.patch(_url(sandbox.url, "CEZVE-1"), params=MP, json={"productType": "HOME", "patches": [
        _replace("brand", _value("Başka Marka")), _replace("purchasable_offer", _offer(1.0)["purchasable_offer"])]})
    assert patch.json()["status"] == "INVALID" and patch.json()["issues"][0]["attributeNames"] == ["brand"]
    stored = sandbox.state.listings[TR_SELLER_ID]["CEZVE-1"]["attributes"]
    assert stored["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 120.0


def test_the_brand_owner_may_change_the_page(sandbox_session, sandbox):
    item = _strict_page(sandbox, brand_owner=TR_SELLER_ID)
    r = sandbox_session.put(_url(sandbox.url, "CEZVE-2"), params=MP, json={"productType": "HOME", "attributes": {
        "condition_type": _value("new_new", tag=False), "merchant_suggested_asin": _value(item["asin"], tag=False),
        "item_name": _value("Yeni Başlık"), **_offer()}}).json()
    assert r["status"] == "ACCEPTED" and r["issues"] == []


def test_brand_change_is_8541_where_the_page_defends_it_and_not_applied_where_it_takes_offers(
        sandbox_session, sandbox):
    item = _strict_page(sandbox)
    put = sandbox_session.put(_url(sandbox.url, "CEZVE-3"), params=MP, json={"productType": "HOME", "attributes": {
        "condition_type": _value("new_new", tag=False), "merchant_suggested_asin": _value(item["asin"], tag=False),
        "brand": _value("Benim Markam"), **_offer()}}).json()
    assert put["status"] == "INVALID" and put["issues"][0]["code"] == "8541"
    # DEMO-0002 sits on a brand-registry page (Kahveci Ağa) that takes other sellers' offers
    r = sandbox_session.patch(_url(sandbox.url, "DEMO-0002"), params=MP, json={
        "productType": "GROCERY", "patches": [_replace("brand", _value("Benim Markam"))]}).json()
    assert r["status"] == "ACCEPTED" and r["issues"][0]["severity"] == "WARNING"
    assert r["issues"][0]["code"] != "8541" and r["issues"][0]["attributeNames"] == ["brand"]


def test_content_from_a_non_brand_owner_is_accepted_but_not_applied(sandbox_session, sandbox):
    url = _url(sandbox.url, "DEMO-0002")
    title = sandbox.state.catalog["B0TR000002"]["title"]
    mixed = sandbox_session.patch(url, params=TR, json={"productType": "GROCERY", "patches": [
        _replace("item_name", _value("Benim başlığım")),
        _replace("fulfillment_availability", [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}])]}).json()
    assert mixed["status"] == "ACCEPTED"
    [issue] = mixed["issues"]
    assert issue["severity"] == "WARNING" and issue["code"] != "8541" and issue["attributeNames"] == ["item_name"]
    assert "marka sahibinin" in issue["message"]
    got = sandbox_session.get(url, params={**MP, "includedData": "summaries,fulfillmentAvailability,issues"}).json()
    assert got["summaries"][0]["itemName"] == title  # the page keeps the brand's title
    assert got["fulfillmentAvailability"][0]["quantity"] == 9  # the offer part landed
    only_content = sandbox_session.patch(url, params=MP, json={"productType": "GROCERY", "patches": [
        _replace("bullet_point", _value("Benim maddem"))]}).json()
    assert only_content["status"] == "ACCEPTED" and only_content["issues"][0]["severity"] == "WARNING"


def test_patch_to_an_unknown_sku_is_accepted_but_not_a_listing_anyone_can_buy(sandbox_session, sandbox):
    r = sandbox_session.patch(_url(sandbox.url, "YOK-1"), params=MP, json={
        "productType": "HOME", "patches": [_replace("purchasable_offer", _offer()["purchasable_offer"]),
                                           _replace("fulfillment_availability", _offer()["fulfillment_availability"])]})
    assert r.status_code == 200 and r.json()["status"] == "ACCEPTED" and r.json()["issues"] == []
    got = sandbox_session.get(_url(sandbox.url, "YOK-1"), params={**MP, "includedData": "summaries,issues"}).json()
    assert got["summaries"][0]["status"] == [] and "asin" not in got["summaries"][0]
    assert any(i["severity"] == "ERROR" and i["code"] == "90220" for i in got["issues"])


def test_issues_appear_after_accepted(sim_session, sim_sandbox, sim_clock):
    base = sim_sandbox.url
    armed = requests.post(base + "/_sandbox/listing-issues", json={"kind": "invalid_attribute", "after": 60,
                                                                   "attribute": "color"})
    assert armed.status_code == 201, armed.text
    r = sim_session.patch(_url(base, "DEMO-0005"), params=MP, json={"productType": "BEAUTY", "patches": [
        _replace("purchasable_offer", _offer(80.0)["purchasable_offer"])]}).json()
    assert r["status"] == "ACCEPTED" and r["issues"] == []
    data = {**MP, "includedData": "summaries,issues"}
    now = sim_session.get(_url(base, "DEMO-0005"), params=data).json()
    assert now["issues"] == [] and "BUYABLE" in now["summaries"][0]["status"]
    sim_clock.advance(61)
    later = sim_session.get(_url(base, "DEMO-0005"), params=data).json()
    [issue] = later["issues"]
    assert (issue["code"], issue["severity"], issue["attributeNames"]) == ("8015", "ERROR", ["color"])
    assert issue["enforcements"]["actions"] == [{"action": "LISTING_SUPPRESSED"}]
    assert "BUYABLE" not in later["summaries"][0]["status"]
    found = sim_session.get(base + f"/listings/2021-08-01/items/{TR_SELLER_ID}",
                            params={**data, "withIssueSeverity": "ERROR"}).json()
    assert [i["sku"] for i in found["items"]] == ["DEMO-0005"]
    # a warning on a named SKU, at once; the listing stays buyable
    warn = requests.post(base + "/_sandbox/listing-issues", json={"kind": "missing_recommended", "sku": "DEMO-0006"})
    assert warn.status_code == 201
    six = sim_session.get(_url(base, "DEMO-0006"), params=data).json()
    assert six["issues"][0]["severity"] == "WARNING" and "BUYABLE" in six["summaries"][0]["status"]
    # sending the attribute the issue names clears it
    fixed = sim_session.patch(_url(base, "DEMO-0005"), params=MP, json={"productType": "BEAUTY", "patches": [
        _replace("color", _value("Kırmızı"))]}).json()
    assert fixed["status"] == "ACCEPTED"
    assert sim_session.get(_url(base, "DEMO-0005"), params=data).json()["issues"] == []
    for bad in ({"kind": "nope"}, {"kind": "missing_recommended", "after": -1}):
        assert requests.post(base + "/_sandbox/listing-issues", json=bad).status_code == 400


def test_accepted_first_then_the_summaries_carry_amazons_status(sim_session, sim_sandbox, sim_clock):
    """ACCEPTED is "accepted for processing": until Amazon has processed it a new SKU is not found and an
    existing one reads as it was; afterwards the summaries carry BUYABLE / DISCOVERABLE, and an ERROR
    issue that appears after ACCEPTED leaves an item DISCOVERABLE only."""
    base = sim_sandbox.url
    data = {**MP, "includedData": "summaries,issues,offers"}
    r = requests.post(base + "/_sandbox/listing-processing", json={"seconds": 120})
    assert r.status_code == 200 and r.json() == {"seconds": 120.0}
    item = _strict_page(sim_sandbox)
    put = sim_session.put(_url(base, "YENI-1"), params=MP, json={"productType": "HOME", "attributes": {
        "condition_type": _value("new_new", tag=False), "merchant_suggested_asin": _value(item["asin"], tag=False),
        **_offer()}}).json()
    assert put["status"] == "ACCEPTED"
    assert sim_session.get(_url(base, "YENI-1"), params=data).status_code == 404
    search = sim_session.get(base + f"/listings/2021-08-01/items/{TR_SELLER_ID}", params={
        **MP, "identifiers": "YENI-1", "identifiersType": "SKU"}).json()
    assert search["numberOfResults"] == 0 and search["items"] == []
    # an existing SKU keeps showing its previous price and date until the change is processed
    old = sim_session.get(_url(base, "DEMO-0005"), params=data).json()
    patched = sim_session.patch(_url(base, "DEMO-0005"), params=MP, json={"productType": "BEAUTY", "patches": [
        _replace("purchasable_offer", _offer(77.0)["purchasable_offer"])]}).json()
    assert patched["status"] == "ACCEPTED"
    assert sim_session.get(_url(base, "DEMO-0005"), params=data).json() == old
    sim_clock.advance(121)
    new = sim_session.get(_url(base, "YENI-1"), params=data).json()
    assert new["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"] and new["issues"] == []
    five = sim_session.get(_url(base, "DEMO-0005"), params=data).json()
    assert five["offers"][0]["price"]["amount"] == "77.00"
    assert five["summaries"][0]["lastUpdatedDate"] > old["summaries"][0]["lastUpdatedDate"]
    found = sim_session.get(base + f"/listings/2021-08-01/items/{TR_SELLER_ID}", params={
        **MP, "identifiers": "YENI-1", "identifiersType": "SKU"}).json()
    assert [i["sku"] for i in found["items"]] == ["YENI-1"]
    # an issue Amazon's processing raises after ACCEPTED: visible to shoppers, no longer buyable
    assert requests.post(base + "/_sandbox/listing-issues", json={"kind": "invalid_attribute", "sku": "YENI-1"}).ok
    suppressed = sim_session.get(_url(base, "YENI-1"), params=data).json()
    assert suppressed["summaries"][0]["status"] == ["DISCOVERABLE"]
    assert suppressed["issues"][0]["enforcements"]["actions"] == [{"action": "LISTING_SUPPRESSED"}]
    assert requests.post(base + "/_sandbox/listing-processing", json={"seconds": -1}).status_code == 400
    assert requests.post(base + "/_sandbox/listing-processing", json={"seconds": "x"}).status_code == 400
