"""Everything the client sends, checked against Amazon's own models."""
import json
import os
from pathlib import Path

import pytest

from flask_amazon_tr.sandbox.models import OPERATIONS, ModelRegistry
from flask_amazon_tr.spapi import JSON_FEED_CONTENT_TYPE, JSON_LISTINGS_FEED, USAGE_PLANS, parse_usage_plan
from spapi_helpers import Sent, canned_client, reply

MODELS = Path(__file__).resolve().parents[2] / "shared" / "sp-api-models"

if not MODELS.is_dir():
    if os.environ.get("CI"):
        raise RuntimeError(f"SP-API models not found at {MODELS}")
    pytest.skip(f"SP-API models not found at {MODELS} (../shared/sp-api-models)", allow_module_level=True)


@pytest.fixture(scope="module")
def checker():
    return ModelRegistry(MODELS)


def check(checker, sent: Sent):
    return checker.check_request(sent.method, sent.url, sent.headers, sent.body)


def test_usage_plans_match_the_models(checker):
    for operation, plan in USAGE_PLANS.items():
        assert operation in OPERATIONS, f"{operation} is no operation the sandbox serves"
        documented = parse_usage_plan(checker.operation(operation)["description"])
        assert documented is not None, f"{operation} has no Usage Plan table"
        assert plan == documented, f"{operation}: code says {plan}, model says {documented}"


def test_usage_plan_parser_reads_both_table_shapes():
    simple = "**Usage Plan:**\n\n| Rate (requests per second) | Burst |\n| ---- | ---- |\n| 0.0056 | 20 |\n"
    with_plan = ("**Usage Plans:**\n\n| Plan type | Rate (requests per second) | Burst |\n| ---- | ---- | ---- |\n"
                 "|Default| 5 | 10 |\n|Selling partner specific| Variable | Variable |\n")
    assert parse_usage_plan(simple) == (0.0056, 20)
    assert parse_usage_plan(with_plan) == (5.0, 10)


FEED_DOC = {
    "header": {"sellerId": "A1SELLERTR", "version": "2.0", "issueLocale": "tr_TR"},
    "messages": [
        {"messageId": 1, "sku": "Kırmızı Şal/42", "operationType": "DELETE"},
        {"messageId": 2, "sku": "ÇAY-BARDAĞI 6'lı", "operationType": "PATCH", "productType": "DRINKING_CUP",
         "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}]}]},
        {"messageId": 3, "sku": "İĞNE-OYASI", "operationType": "PARTIAL_UPDATE", "productType": "SCARF",
         "attributes": {"purchasable_offer": [{"currency": "TRY", "marketplace_id": "A33AVAJ2PDY3EV",
                                               "our_price": [{"schedule": [{"value_with_tax": "249.90"}]}]}]}},
    ],
}


def exercise_every_operation(client):
    """Drive each public operation once, the way services will."""
    client.get_marketplace_participations()
    list(client.search_orders(last_updated_after="2026-01-01T00:00:00+03:00",
                              last_updated_before="2026-01-02T00:00:00Z",
                              fulfillment_statuses=["UNSHIPPED", "PARTIALLY_SHIPPED"],
                              included_data=["BUYER", "RECIPIENT", "FULFILLMENT"]))
    list(client.search_orders(created_after="2026-01-01T00:00:00Z", created_before="2026-01-01T12:00:00Z"))
    client.get_order("402-1234567-1234567", included_data=["BUYER", "RECIPIENT"])
    client.get_order("402-1234567-1234567")
    client.confirm_shipment("402-1234567-1234567", package_detail={
        "packageReferenceId": "1", "carrierCode": "Other", "carrierName": "Yurtiçi Kargo",
        "trackingNumber": "YK-100200300", "shipDate": "2026-01-02T14:30:00+03:00",
        "orderItems": [{"orderItemId": "12345678901234", "quantity": 2}]})
    client.get_listings_item("Kırmızı Şal/42", included_data=["summaries", "issues", "offers"])
    client.get_listings_item("plain")
    list(client.search_listings_items(last_updated_after="2026-01-01T00:00:00Z"))
    list(client.search_listings_items())
    client.put_listings_item("Kırmızı Şal/42", product_type="SCARF", requirements="LISTING",
                             attributes={"item_name": [{"value": "Şal", "language_tag": "tr_TR",
                                                        "marketplace_id": "A33AVAJ2PDY3EV"}]})
    client.patch_listings_item("Kırmızı Şal/42", product_type="SCARF",
                               patches=[{"op": "replace", "path": "/attributes/purchasable_offer",
                                         "value": [{"currency": "TRY", "our_price": [{"schedule": [
                                             {"value_with_tax": "249.90"}]}]}]}])
    created = client.create_feed_document(JSON_FEED_CONTENT_TYPE)
    client.upload_feed_document(created["url"], json.dumps(FEED_DOC, ensure_ascii=False).encode("utf-8"),
                                JSON_FEED_CONTENT_TYPE)
    client.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"])
    client.get_feed("50001")
    client.cancel_feed("50001")
    list(client.iter_feeds(feed_types=["JSON_LISTINGS_FEED"], created_since="2026-01-01T00:00:00+03:00",
                           processing_statuses=["IN_QUEUE", "IN_PROGRESS"]))
    document = client.get_feed_document("amzn1.tortuga.4.eu.result")
    client.download_feed_document(document)
    client.search_catalog_items_by_ean([f"869{i:010d}" for i in range(25)])
    client.get_definitions_product_type("SCARF")
    client.search_definitions_product_types()
    client.search_definitions_product_types(keywords=["şal", "SCARF"])


def amazon_like(sent: Sent):
    url = sent.url
    if "auth/o2" in url:
        return None
    if "tortuga.example" in url:
        return reply(200, b"{}")
    if "/sellers/v1/" in url:
        return reply(200, {"payload": []})
    if "/shipmentConfirmation" in url:
        return reply(204, b"")
    if "/orders/2026-01-01/orders/" in url:
        return reply(200, {"order": {"orderId": "402-1234567-1234567"}})
    if "/orders/2026-01-01/orders" in url:
        if "paginationToken" not in sent.query:
            return reply(200, {"orders": [], "pagination": {"nextToken": "next page"}})
        return reply(200, {"orders": []})
    if "/listings/2021-08-01/items/" in url and url.split("?")[0].count("/") == 6:
        # searchListingsItems: /listings/2021-08-01/items/{sellerId}
        if "pageToken" not in sent.query:
            return reply(200, {"numberOfResults": 2, "items": [{"sku": "a"}], "pagination": {"nextToken": "p2"}})
        return reply(200, {"numberOfResults": 2, "items": [{"sku": "b"}]})
    if "/listings/" in url:
        return reply(200, {"sku": "x", "status": "ACCEPTED", "submissionId": "s", "issues": []})
    if url.endswith("/feeds/2021-06-30/documents"):
        return reply(201, {"feedDocumentId": "in-1", "url": "https://tortuga.example/in"})
    if "/feeds/2021-06-30/documents/" in url:
        return reply(200, {"feedDocumentId": "r", "url": "https://tortuga.example/out"})
    if "/feeds/2021-06-30/feeds?" in url:
        feed = {"feedId": "50001", "feedType": "JSON_LISTINGS_FEED", "processingStatus": "IN_QUEUE",
                "createdTime": "2026-01-01T00:00:00Z"}
        if "nextToken" in sent.query:
            return reply(200, {"feeds": [feed]})
        return reply(200, {"feeds": [feed], "nextToken": "next page"})
    if url.endswith("/feeds/2021-06-30/feeds"):
        return reply(202, {"feedId": "50001"})
    if "/feeds/2021-06-30/feeds/" in url:
        return reply(200, {"feedId": "50001", "feedType": "JSON_LISTINGS_FEED", "processingStatus": "DONE",
                           "createdTime": "2026-01-01T00:00:00Z"})
    if "/catalog/" in url:
        return reply(200, {"numberOfResults": 0, "items": []})
    if "/definitions/2020-09-01/productTypes?" in url:
        return reply(200, {"productTypes": [{"name": "SCARF", "displayName": "Şal", "marketplaceIds": ["x"]}],
                           "productTypeVersion": "V1"})
    if "/definitions/" in url:
        return reply(200, {"productType": "SCARF"})
    return None


@pytest.fixture(scope="module")
def sent_requests():
    client, transport, _ = canned_client(amazon_like)
    exercise_every_operation(client)
    return transport.sent


def spapi_calls(sent):
    return [s for s in sent if "auth/o2" not in s.url and "tortuga.example" not in s.url]


def test_every_request_conforms_to_its_model(checker, sent_requests):
    seen = set()
    for sent in spapi_calls(sent_requests):
        operation, problems = check(checker, sent)
        assert problems == [], f"{sent.method} {sent.url}: {problems}"
        seen.add(operation)
    # The plugin never deletes a listing: only the sandbox serves deleteListingsItem.
    assert seen == set(USAGE_PLANS) - {"deleteListingsItem"}, \
        "every operation the client calls is exercised and nothing else is called"


def test_model_checker_catches_bad_requests(checker):
    from requests.structures import CaseInsensitiveDict

    def sent(method, url, body=None, headers=None):
        h = CaseInsensitiveDict({"x-amz-access-token": "t", "content-type": "application/json", **(headers or {})})
        return Sent(method, url, h, json.dumps(body).encode() if body is not None else None, None)

    base = "https://sellingpartnerapi-eu.amazon.com"
    cases = [
        sent("GET", base + "/listings/2021-08-01/items/S/a/b?marketplaceIds=A33AVAJ2PDY3EV"),  # unencoded slash
        sent("GET", base + "/listings/2021-08-01/items/S/K"),  # marketplaceIds missing
        sent("GET", base + "/orders/2026-01-01/orders?createdAfter=2026-01-01&marketplaceIds=A"),  # no time
        sent("GET", base + "/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00&marketplaceIds=A"),
        sent("GET", base + "/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z&includedData=ITEMS"),
        sent("GET", base + "/orders/2026-01-01/orders?createdAfter=2026-01-01T00:00:00Z"
             "&marketplaceIds=A&marketplaceIds=B"),
        sent("PATCH", base + "/listings/2021-08-01/items/S/K?marketplaceIds=A", {"productType": "X", "patches": []}),
        sent("POST", base + "/feeds/2021-06-30/feeds", {"feedType": "JSON_LISTINGS_FEED", "inputFeedDocumentId": "1"}),
        sent("GET", base + "/feeds/2021-06-30/feeds?pageSize=101&feedTypes=JSON_LISTINGS_FEED"),
        sent("GET", base + "/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED&processingStatuses=WAITING"),
        sent("GET", base + "/catalog/2022-04-01/items?marketplaceIds=A&identifiersType=EAN&identifiers="
             + ",".join(str(i) for i in range(21))),
        sent("GET", base + "/sellers/v1/marketplaceParticipations", headers={"x-amz-access-token": ""}),
        sent("POST", base + "/orders/v0/orders/402-1234567-1234567/shipmentConfirmation",  # date without time
             {"marketplaceId": "A33AVAJ2PDY3EV", "packageDetail": {
                 "packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z", "shipDate": "02/21/2026",
                 "orderItems": [{"orderItemId": "1", "quantity": 1}]}}),
        sent("POST", base + "/orders/v0/orders/402-1234567-1234567/shipmentConfirmation",  # no packageDetail
             {"marketplaceId": "A33AVAJ2PDY3EV"}),
    ]
    for case in cases:
        _, problems = check(checker, case)
        assert problems, f"{case.method} {case.url} should not conform"


def test_a_feeds_page_token_goes_alone(sent_requests):
    pages = [s for s in sent_requests if "/feeds/2021-06-30/feeds?" in s.url]
    assert len(pages) == 2
    assert "feedTypes" in pages[0].query and "marketplaceIds" in pages[0].query
    assert set(pages[1].query) == {"nextToken"}, "Amazon refuses a nextToken sent with any other parameter"


def test_feed_document_uploaded_conforms_to_listings_feed_schema(sent_requests):
    import jsonschema

    schema = json.loads((MODELS / "json-listings-feed-schema-v2.json").read_text(encoding="utf-8"))
    [upload] = [s for s in sent_requests if s.url == "https://tortuga.example/in"]
    document = json.loads(upload.body.decode("utf-8"))
    jsonschema.Draft7Validator(schema).validate(document)
    assert document == FEED_DOC  # byte-level JSON survives with Turkish letters
