"""Listings Items, Catalog Items and Product Type Definitions on the local Amazon."""
from __future__ import annotations

from urllib.parse import quote

import requests

from flask_amazon_tr.sandbox.seed import NON_TR_SELLER_ID, TR_MARKETPLACE_ID, TR_SELLER_ID

pytest_plugins = ["sandbox_fixtures"]

MP = {"marketplaceIds": TR_MARKETPLACE_ID}


def _url(base, sku, seller=TR_SELLER_ID):
    return f"{base}/listings/2021-08-01/items/{seller}/{quote(sku, safe='')}"


def _offer(price, qty):
    return {
        "purchasable_offer": [{"marketplace_id": TR_MARKETPLACE_ID, "currency": "TRY",
                               "our_price": [{"schedule": [{"value_with_tax": price}]}]}],
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}],
    }


def test_put_then_get_with_turkish_sku(sandbox_session, sandbox):
    sku = "ÇAY/Bardağı İnce 6'lı"
    attrs = {"condition_type": [{"value": "new_new", "marketplace_id": TR_MARKETPLACE_ID}],
             "item_name": [{"value": "Çay Bardağı", "language_tag": "tr_TR",
                            "marketplace_id": TR_MARKETPLACE_ID}],
             "externally_assigned_product_identifier": [
                 {"type": "ean", "value": "8690000000017", "marketplace_id": TR_MARKETPLACE_ID}],
             **_offer(149.9, 12)}
    r = sandbox_session.put(_url(sandbox.url, sku), params=MP,
                            json={"productType": "KITCHEN", "requirements": "LISTING",
                                  "attributes": attrs})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ACCEPTED" and r.json()["sku"] == sku and r.json()["issues"] == []
    got = sandbox_session.get(_url(sandbox.url, sku), params={
        **MP, "includedData": "summaries,attributes,offers,fulfillmentAvailability"}).json()
    assert got["sku"] == sku
    assert got["attributes"]["item_name"][0]["value"] == "Çay Bardağı"
    assert got["offers"][0]["price"] == {"currencyCode": "TRY", "amount": "149.90"}
    assert got["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 12}]
    assert "BUYABLE" in got["summaries"][0]["status"]


def test_patch_price_and_stock(sandbox_session, sandbox):
    r = sandbox_session.patch(_url(sandbox.url, "DEMO-0003"), params=MP, json={
        "productType": "HOME", "patches": [
            {"op": "replace", "path": "/attributes/purchasable_offer",
             "value": _offer(199.5, 0)["purchasable_offer"]},
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}]}]})
    assert r.status_code == 200 and r.json()["status"] == "ACCEPTED"
    got = sandbox_session.get(_url(sandbox.url, "DEMO-0003"),
                              params={**MP, "includedData": "offers,fulfillmentAvailability"}).json()
    assert got["offers"][0]["price"]["amount"] == "199.50"
    assert got["fulfillmentAvailability"][0]["quantity"] == 4
    assert "summaries" not in got


def test_patch_rejects_nested_paths_and_takes_an_unknown_sku(sandbox_session, sandbox):
    nested = sandbox_session.patch(_url(sandbox.url, "DEMO-0003"), params=MP, json={
        "productType": "HOME", "patches": [
            {"op": "replace", "path": "/attributes/purchasable_offer/0/our_price", "value": []}]})
    assert nested.status_code == 400 and nested.json()["errors"][0]["code"] == "InvalidInput"
    # Amazon accepts a patch to a SKU it does not know and keeps an incomplete listing
    # (test_sandbox_verdicts.py has the details)
    unknown = sandbox_session.patch(_url(sandbox.url, "YOK-9999"), params=MP, json={
        "productType": "HOME", "patches": [{"op": "delete", "path": "/attributes/item_name"}]})
    assert unknown.status_code == 200
    assert unknown.json()["status"] == "ACCEPTED"
    assert sandbox_session.get(_url(sandbox.url, "YOK-9999"), params=MP).status_code == 200


def test_brand_owned_page_accepts_offer_but_not_content(sandbox_session, sandbox):
    # DEMO-0002 sits on a catalog page whose content the brand owns
    url = _url(sandbox.url, "DEMO-0002")
    before = sandbox_session.get(url, params={**MP, "includedData": "summaries"}).json()
    new_name = [{"value": "Benim başlığım", "language_tag": "tr_TR",
                 "marketplace_id": TR_MARKETPLACE_ID}]
    mixed = sandbox_session.patch(url, params={**MP, "issueLocale": "tr_TR"}, json={
        "productType": "GROCERY", "patches": [
            {"op": "replace", "path": "/attributes/item_name", "value": new_name},
            {"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 9}]}]}).json()
    assert mixed["status"] == "ACCEPTED"
    [issue] = mixed["issues"]
    assert issue["attributeNames"] == ["item_name"] and issue["severity"] == "WARNING"
    assert issue["code"] == "CONTRIBUTION_NOT_APPLIED"
    assert "marka" in issue["message"]
    after = sandbox_session.get(url, params={**MP, "includedData": "summaries,attributes,issues"}).json()
    assert after["summaries"][0]["itemName"] == before["summaries"][0]["itemName"]
    assert after["attributes"]["fulfillment_availability"][0]["quantity"] == 9
    # content alone is accepted too (not applied), never INVALID: only 8541 refuses
    only_content = sandbox_session.patch(url, params=MP, json={
        "productType": "GROCERY",
        "patches": [{"op": "replace", "path": "/attributes/item_name", "value": new_name}]}).json()
    assert only_content["status"] == "ACCEPTED"
    assert only_content["issues"][0]["severity"] == "WARNING"


def test_put_missing_required_is_invalid_and_not_stored(sandbox_session, sandbox):
    r = sandbox_session.put(_url(sandbox.url, "NEW-1"), params=MP, json={
        "productType": "HOME", "attributes": {"item_name": [{"value": "Ad"}]}}).json()
    assert r["status"] == "INVALID"
    assert any(i["code"] == "90220" and i["attributeNames"] == ["condition_type"] for i in r["issues"])
    assert sandbox_session.get(_url(sandbox.url, "NEW-1"), params=MP).status_code == 404


def test_validation_preview_does_not_store(sandbox_session, sandbox):
    r = sandbox_session.put(_url(sandbox.url, "PREVIEW-1"), params={
        **MP, "mode": "VALIDATION_PREVIEW", "includedData": "identifiers,issues"}, json={
        "productType": "HOME", "attributes": {
            "condition_type": [{"value": "new_new"}],
            "merchant_suggested_asin": [{"value": "B0TR000001"}]}}).json()
    assert r["status"] == "VALID" and r["identifiers"][0]["asin"] == "B0TR000001"
    assert sandbox_session.get(_url(sandbox.url, "PREVIEW-1"), params=MP).status_code == 404


def test_delete(sandbox_session, sandbox):
    assert sandbox_session.delete(_url(sandbox.url, "DEMO-0004"), params=MP).json()["status"] == "ACCEPTED"
    assert sandbox_session.get(_url(sandbox.url, "DEMO-0004"), params=MP).status_code == 404


def test_listing_request_validation(require_models, sandbox_session, sandbox):
    url = _url(sandbox.url, "DEMO-0001")
    two = sandbox_session.put(url, params={"marketplaceIds": f"{TR_MARKETPLACE_ID},A1PN6A0ZF4ZA2Z"},
                              json={"productType": "HOME", "attributes": {}})
    assert two.status_code == 400  # put takes one marketplace
    no_mp = sandbox_session.get(url)
    assert no_mp.status_code == 400
    bad_body = sandbox_session.patch(url, params=MP, json={"productType": "HOME", "patches": []})
    assert bad_body.status_code == 400  # minItems 1
    bad_op = sandbox_session.patch(url, params=MP, json={"productType": "HOME", "patches": [
        {"op": "move", "path": "/attributes/item_name"}]})
    assert bad_op.status_code == 400
    not_json = sandbox_session.put(url, params=MP, data="{nope",
                                   headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400
    bad_included = sandbox_session.get(url, params={**MP, "includedData": "everything"})
    assert bad_included.status_code == 400
    for r in (two, no_mp, bad_body, bad_op, not_json, bad_included):
        assert r.json()["errors"][0]["code"] == "InvalidInput"
    other_seller = sandbox_session.get(_url(sandbox.url, "DEMO-0001", NON_TR_SELLER_ID), params=MP)
    assert other_seller.status_code == 403


def test_catalog_search_by_ean(require_models, sandbox_session, sandbox):
    item = sandbox.state.catalog["B0TR000007"]
    extra = sandbox.state.add_catalog_item(ean="8680000000011", title="Özel Ürün", sku="SHOP-42")
    r = sandbox_session.get(sandbox.url + "/catalog/2022-04-01/items", params={
        **MP, "identifiers": f"{item['ean']},{extra['ean']},0000000000000",
        "identifiersType": "EAN", "includedData": "summaries,identifiers,productTypes"})
    assert r.status_code == 200
    body = r.json()
    assert body["numberOfResults"] == 2
    asins = {i["asin"] for i in body["items"]}
    assert asins == {"B0TR000007", extra["asin"]}
    first = [i for i in body["items"] if i["asin"] == "B0TR000007"][0]
    assert first["identifiers"][0]["identifiers"] == [{"identifierType": "EAN",
                                                        "identifier": item["ean"]}]
    assert first["summaries"][0]["itemName"] == item["title"]
    too_many = sandbox_session.get(sandbox.url + "/catalog/2022-04-01/items", params={
        **MP, "identifiers": ",".join(["8690000000000"] * 21), "identifiersType": "EAN"})
    assert too_many.status_code == 400


def test_product_type_definition_and_schema_link(sandbox_session, sandbox):
    r = sandbox_session.get(sandbox.url + "/definitions/2020-09-01/productTypes/HOME",
                            params={**MP, "requirements": "LISTING", "locale": "tr_TR"})
    assert r.status_code == 200
    body = r.json()
    assert body["productType"] == "HOME" and body["marketplaceIds"] == [TR_MARKETPLACE_ID]
    schema = requests.get(body["schema"]["link"]["resource"]).json()
    assert "purchasable_offer" in schema["properties"]
    bad = sandbox_session.get(sandbox.url + "/definitions/2020-09-01/productTypes/NOPE", params=MP)
    assert bad.status_code == 400
