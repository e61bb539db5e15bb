"""A live seller's inventory on the local Amazon: searchListingsItems, existing offers, FBA,
full replace, VALIDATION_PREVIEW and the product-type schema link under a mount prefix."""
from __future__ import annotations

from urllib.parse import quote

import requests

from flask_amazon_tr.sandbox.seed import NON_TR_SELLER_ID, TR_MARKETPLACE_ID, TR_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

MP = {"marketplaceIds": TR_MARKETPLACE_ID}
SEARCH = f"/listings/2021-08-01/items/{TR_SELLER_ID}"
INVENTORY = "summaries,offers,fulfillmentAvailability,issues"


def _url(base, sku):
    return f"{base}{SEARCH}/{quote(sku, safe='')}"


def _live(server, **body):
    r = requests.post(server.url + "/_sandbox/live-seller", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def _get(session, server, sku, data="summaries,attributes,offers,fulfillmentAvailability,issues"):
    r = session.get(_url(server.url, sku), params={**MP, "includedData": data})
    assert r.status_code == 200, r.text
    return r.json()


def _walk(session, server, **params):
    """Every page of a search, following pagination.nextToken with pageToken."""
    pages, token = [], None
    while True:
        query = {**MP, **params, **({"pageToken": token} if token else {})}
        r = session.get(server.url + SEARCH, params=query)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        token = (r.json().get("pagination") or {}).get("nextToken")
        if not token:
            return pages


def test_live_seller_has_offers_with_price_stock_handling_time_and_fba(sandbox_session, sandbox):
    out = _live(sandbox, offers=30, fba=5)
    assert (out["sellerId"], out["offers"], out["fba"]) == (TR_SELLER_ID, 30, 5)
    live = {k: v for k, v in sandbox.state.listings[TR_SELLER_ID].items() if k.startswith("LIVE-")}
    assert len(live) == 30 and set(out["fbaSkus"]) <= set(live) and len(out["fbaSkus"]) == 5
    # the default seed the other tests rely on is still there, untouched
    assert len([k for k in sandbox.state.listings[TR_SELLER_ID] if k.startswith("DEMO-")]) == 20
    mfn = next(k for k in sorted(live) if k not in out["fbaSkus"])
    got = _get(sandbox_session, sandbox, mfn)
    attrs = got["attributes"]
    [channel] = attrs["fulfillment_availability"]
    assert channel["fulfillment_channel_code"] == "DEFAULT" and channel["quantity"] >= 0
    assert channel["lead_time_to_ship_max_days"] >= 1
    assert attrs["merchant_shipping_group"][0]["value"]
    assert attrs["condition_type"][0]["value"] in ("new_new", "used_like_new")
    assert got["offers"][0]["offerType"] == "B2C" and float(got["offers"][0]["price"]["amount"]) > 0
    assert got["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT",
                                               "quantity": channel["quantity"]}]
    assert any(l["attributes"]["purchasable_offer"][-1].get("audience") == "B2B" for l in live.values())
    fba = _get(sandbox_session, sandbox, out["fbaSkus"][0])
    assert [c["fulfillment_channel_code"] for c in fba["attributes"]["fulfillment_availability"]] == ["AMAZON_EU"]
    assert [f["fulfillmentChannelCode"] for f in fba["fulfillmentAvailability"]] == ["AMAZON_EU"]
    assert fba["summaries"][0]["fnSku"] and "BUYABLE" in fba["summaries"][0]["status"]
    # the shop can find the same products by EAN in the catalog
    ean = live[mfn]["attributes"]["externally_assigned_product_identifier"][0]["value"]
    assert out["eans"][mfn] == ean and sandbox.state.catalog_by_ean(ean)["asin"] == live[mfn]["asin"]
    for bad in ({"offers": -1}, {"offers": 5, "fba": 6}, {"seller_id": "A0NOBODY"}):
        assert requests.post(sandbox.url + "/_sandbox/live-seller", json=bad).status_code == 400


def test_search_pages_through_everything_with_page_token(sandbox_session, sandbox):
    sandbox.state.rate_limits_enabled = False
    _live(sandbox, offers=45, fba=3)
    total = len(sandbox.state.listings[TR_SELLER_ID])
    pages = _walk(sandbox_session, sandbox, pageSize=20, includedData=INVENTORY,
                  sortBy="lastUpdatedDate", sortOrder="ASC")
    assert [len(p["items"]) for p in pages] == [20, 20, 20, total - 60]
    assert all(p["numberOfResults"] == total for p in pages)
    skus = [i["sku"] for p in pages for i in p["items"]]
    assert len(skus) == len(set(skus)) == total
    dates = [i["summaries"][0]["lastUpdatedDate"] for p in pages for i in p["items"]]
    assert dates == sorted(dates)
    first = pages[0]["items"][0]
    assert set(first) == {"sku", "summaries", "offers", "fulfillmentAvailability", "issues"}
    # pageSize defaults to 10, includedData to summaries, the order to newest first
    default = sandbox_session.get(sandbox.url + SEARCH, params=MP).json()
    assert len(default["items"]) == 10 and set(default["items"][0]) == {"sku", "summaries"}
    newest = [i["summaries"][0]["lastUpdatedDate"] for i in default["items"]]
    assert newest == sorted(newest, reverse=True) and newest[0] == max(dates)


def test_an_item_updated_during_a_pass_is_read_again_never_skipped(sandbox_session, sandbox):
    sandbox.state.rate_limits_enabled = False
    _live(sandbox, offers=30, fba=0)
    query = {**MP, "pageSize": 20, "sortBy": "lastUpdatedDate", "sortOrder": "ASC"}
    first = sandbox_session.get(sandbox.url + SEARCH, params=query).json()
    moved = first["items"][0]["sku"]
    assert sandbox_session.patch(_url(sandbox.url, moved), params=MP, json={"productType": "HOME", "patches": [
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}]}]}).json()["status"] == "ACCEPTED"
    rest = _walk(sandbox_session, sandbox, **{k: v for k, v in query.items() if k != "marketplaceIds"},
                 pageToken=first["pagination"]["nextToken"])
    skus = [i["sku"] for i in first["items"]] + [i["sku"] for p in rest for i in p["items"]]
    assert set(skus) == set(sandbox.state.listings[TR_SELLER_ID]) and skus.count(moved) == 2 and skus[-1] == moved


def test_search_refuses_what_the_model_refuses(require_models, sandbox_session, sandbox):
    sandbox.state.rate_limits_enabled = False  # the usage plan has its own test below
    base = sandbox.url + SEARCH
    for params in ({**MP, "pageSize": 21}, {}, {**MP, "identifiers": "DEMO-0001"},
                   {**MP, "identifiersType": "SKU"}, {**MP, "pageToken": "made-up"},
                   {**MP, "includedData": "everything"}, {**MP, "sortBy": "price"},
                   {**MP, "identifiers": ",".join(["X"] * 21), "identifiersType": "SKU"},
                   {**MP, "identifiers": "DEMO-0001", "identifiersType": "SKU",
                    "variationParentSku": "P"}):
        r = sandbox_session.get(base, params=params)
        assert r.status_code == 400, params
        assert r.json()["errors"][0]["code"] == "InvalidInput"
    other = sandbox_session.get(f"{sandbox.url}/listings/2021-08-01/items/{NON_TR_SELLER_ID}", params=MP)
    assert other.status_code == 403


def test_search_filters_by_identifiers_dates_status_and_sorts(sandbox_session, sandbox):
    sandbox.state.rate_limits_enabled = False
    out = _live(sandbox, offers=30, fba=3)
    live = sandbox.state.listings[TR_SELLER_ID]
    base = sandbox.url + SEARCH

    def skus(**params):
        r = sandbox_session.get(base, params={**MP, "pageSize": 20, **params})
        assert r.status_code == 200, r.text
        return [i["sku"] for i in r.json()["items"]]

    assert sorted(skus(identifiers="LIVE-00001,LIVE-00002,NOPE", identifiersType="SKU")) == \
        ["LIVE-00001", "LIVE-00002"]
    assert skus(identifiers=out["eans"]["LIVE-00007"], identifiersType="EAN") == ["LIVE-00007"]
    assert skus(identifiers=live["LIVE-00003"]["asin"], identifiersType="ASIN") == ["LIVE-00003"]
    fnsku = _get(sandbox_session, sandbox, out["fbaSkus"][0], "summaries")["summaries"][0]["fnSku"]
    assert skus(identifiers=fnsku, identifiersType="FNSKU") == [out["fbaSkus"][0]]
    # "at or after" / "at or before", as the model's parameter descriptions say
    by_update = sorted(live.values(), key=lambda l: (l["lastUpdatedDate"], l["sku"]))
    cut = by_update[-5]["lastUpdatedDate"]
    expected = {l["sku"] for l in by_update if l["lastUpdatedDate"] >= cut}
    assert set(skus(lastUpdatedAfter=cut)) == expected
    assert set(skus(lastUpdatedBefore=by_update[2]["lastUpdatedDate"])) == \
        {l["sku"] for l in by_update if l["lastUpdatedDate"] <= by_update[2]["lastUpdatedDate"]}
    created = sorted(l["createdDate"] for l in live.values())
    assert set(skus(createdAfter=created[-3])) == {l["sku"] for l in live.values() if l["createdDate"] >= created[-3]}
    assert skus(sortBy="sku", sortOrder="ASC")[:3] == sorted(live)[:3]
    assert skus(sortBy="sku", sortOrder="DESC")[:3] == sorted(live, reverse=True)[:3]
    # one offer with no stock: not BUYABLE, so only withoutStatus=BUYABLE finds it
    empty = sandbox_session.patch(_url(sandbox.url, "LIVE-00004"), params=MP, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]})
    assert empty.json()["status"] == "ACCEPTED"
    assert "LIVE-00004" in skus(withoutStatus="BUYABLE", identifiers="LIVE-00004,LIVE-00005", identifiersType="SKU")
    assert skus(withStatus="BUYABLE", identifiers="LIVE-00004,LIVE-00005", identifiersType="SKU") == ["LIVE-00005"]


def test_search_returns_at_most_1000_items_as_the_model_says(sandbox_session, sandbox):
    sandbox.state.rate_limits_enabled = False
    _live(sandbox, offers=1100, fba=0)
    total = len(sandbox.state.listings[TR_SELLER_ID])
    pages = _walk(sandbox_session, sandbox, pageSize=20, sortBy="lastUpdatedDate", sortOrder="ASC")
    seen = [i for p in pages for i in p["items"]]
    assert len(seen) == 1000 and len(pages) == 50 and pages[0]["numberOfResults"] == total
    # the rest is reached by narrowing the query, as a large seller's reader must
    last = seen[-1]["summaries"][0]["lastUpdatedDate"]
    rest = _walk(sandbox_session, sandbox, pageSize=20, sortBy="lastUpdatedDate", sortOrder="ASC",
                 lastUpdatedAfter=last)
    skus = {i["sku"] for i in seen} | {i["sku"] for p in rest for i in p["items"]}
    assert len(skus) == total


def test_search_usage_plan_is_5_per_second_burst_5(require_models, sim_session, sim_sandbox):
    from flask_amazon_tr.spapi.usage_plans import USAGE_PLANS

    assert USAGE_PLANS["searchListingsItems"] == (5.0, 5)
    answers = [sim_session.get(sim_sandbox.url + SEARCH, params=MP) for _ in range(6)]
    assert [r.status_code for r in answers] == [200] * 5 + [429]
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == "5.0"


def test_default_to_an_fba_sku_adds_a_merchant_offer_beside_amazons(sandbox_session, sandbox):
    fba = _live(sandbox, offers=10, fba=3)["fbaSkus"]
    price_only = sandbox_session.patch(_url(sandbox.url, fba[0]), params=MP, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [{
            "marketplace_id": TR_MARKETPLACE_ID, "currency": "TRY",
            "our_price": [{"schedule": [{"value_with_tax": 99.0}]}]}]}]}).json()
    assert price_only["status"] == "ACCEPTED"
    assert [f["fulfillmentChannelCode"] for f in _get(sandbox_session, sandbox, fba[0])["fulfillmentAvailability"]] \
        == ["AMAZON_EU"]
    stock = sandbox_session.patch(_url(sandbox.url, fba[1]), params=MP, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]})
    assert stock.json()["status"] == "ACCEPTED"
    channels = {f["fulfillmentChannelCode"]: f["quantity"]
                for f in _get(sandbox_session, sandbox, fba[1])["fulfillmentAvailability"]}
    assert set(channels) == {"AMAZON_EU", "DEFAULT"} and channels["DEFAULT"] == 7
    listing = sandbox.state.listings[TR_SELLER_ID][fba[2]]
    put = sandbox_session.put(_url(sandbox.url, fba[2]), params=MP, json={
        "productType": "HOME", "attributes": {**listing["attributes"], "fulfillment_availability": [
            {"fulfillment_channel_code": "DEFAULT", "quantity": 4}]}})
    assert put.json()["status"] == "ACCEPTED"
    assert {f["fulfillmentChannelCode"] for f in _get(sandbox_session, sandbox, fba[2])["fulfillmentAvailability"]} \
        == {"AMAZON_EU", "DEFAULT"}


def test_put_replaces_the_whole_item_and_patch_only_what_it_names(sandbox_session, sandbox):
    _live(sandbox, offers=5, fba=0)
    before = _get(sandbox_session, sandbox, "LIVE-00002")["attributes"]
    patched = sandbox_session.patch(_url(sandbox.url, "LIVE-00002"), params=MP, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [{
            "marketplace_id": TR_MARKETPLACE_ID, "currency": "TRY",
            "our_price": [{"schedule": [{"value_with_tax": 10.5}]}]}]}]}).json()
    assert patched["status"] == "ACCEPTED"
    after_patch = _get(sandbox_session, sandbox, "LIVE-00002")["attributes"]
    assert {k: v for k, v in after_patch.items() if k != "purchasable_offer"} == \
        {k: v for k, v in before.items() if k != "purchasable_offer"}
    # "Creates a new or fully-updates an existing listings item": what the PUT omits is gone
    put = sandbox_session.put(_url(sandbox.url, "LIVE-00002"), params=MP, json={
        "productType": "HOME", "attributes": {k: before[k] for k in (
            "condition_type", "merchant_suggested_asin", "purchasable_offer")}}).json()
    assert put["status"] == "ACCEPTED"
    got = _get(sandbox_session, sandbox, "LIVE-00002")
    assert set(got["attributes"]) == {"condition_type", "merchant_suggested_asin", "purchasable_offer"}
    assert got["fulfillmentAvailability"] == [] and "BUYABLE" not in got["summaries"][0]["status"]


def test_validation_preview_on_put_and_patch_applies_nothing(sandbox_session, sandbox):
    _live(sandbox, offers=3, fba=0)
    before = sandbox_session.get(_url(sandbox.url, "LIVE-00001"), params={**MP, "includedData": "attributes"}).json()
    preview = {**MP, "mode": "VALIDATION_PREVIEW", "includedData": "issues,identifiers"}
    stock = [{"fulfillment_channel_code": "DEFAULT", "quantity": 999}]
    ok = sandbox_session.patch(_url(sandbox.url, "LIVE-00001"), params=preview, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                            "value": stock}]}).json()
    assert ok["status"] == "VALID" and ok["identifiers"][0]["asin"] == sandbox.state.listings[
        TR_SELLER_ID]["LIVE-00001"]["asin"]
    bad = sandbox_session.patch(_url(sandbox.url, "LIVE-00001"), params=preview, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": -1}]}]})
    assert bad.json()["status"] == "INVALID" and bad.json()["issues"][0]["severity"] == "ERROR"
    put = sandbox_session.put(_url(sandbox.url, "LIVE-00001"), params=preview, json={
        "productType": "HOME", "attributes": {"condition_type": [{"value": "new_new"}],
                                              "merchant_suggested_asin": before["attributes"]["merchant_suggested_asin"],
                                              "fulfillment_availability": stock}}).json()
    assert put["status"] == "VALID"
    new = sandbox_session.patch(_url(sandbox.url, "PREVIEW-NEW"), params=preview, json={
        "productType": "HOME", "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                                            "value": stock}]}).json()
    assert new["status"] == "VALID"
    after = sandbox_session.get(_url(sandbox.url, "LIVE-00001"), params={**MP, "includedData": "attributes"}).json()
    assert after == before
    assert sandbox_session.get(_url(sandbox.url, "PREVIEW-NEW"), params=MP).status_code == 404
    # identifiers only come with VALIDATION_PREVIEW (the model's includedData description)
    assert sandbox_session.put(_url(sandbox.url, "LIVE-00001"), params={**MP, "includedData": "identifiers"},
                               json={"productType": "HOME", "attributes": {}}).status_code == 400


def test_schema_link_keeps_the_mount_prefix(prefixed_sandbox):
    tokens = prefixed_sandbox.state.authorize()
    headers = {"x-amz-access-token": tokens["access_token"]}
    r = requests.get(prefixed_sandbox.url + "/definitions/2020-09-01/productTypes/HOME",
                     params=MP, headers=headers)
    assert r.status_code == 200, r.text
    link = r.json()["schema"]["link"]["resource"]
    assert link.startswith(prefixed_sandbox.url + "/")
    schema = requests.get(link)
    assert schema.status_code == 200 and "purchasable_offer" in schema.json()["properties"]
    # feed documents live behind the same prefix
    doc = requests.post(prefixed_sandbox.url + "/feeds/2021-06-30/documents", headers=headers,
                        json={"contentType": "application/json"}).json()
    assert doc["url"].startswith(prefixed_sandbox.url + "/")
    assert requests.put(doc["url"], data=b"{}", headers={"Content-Type": "application/json"}).status_code == 200
