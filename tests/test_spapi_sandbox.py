"""The client against the local Amazon over real loopback HTTP."""
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("flask_amazon_tr.sandbox", reason="the local sandbox (plugin/sandbox) is not there yet")

from flask_amazon_tr.sandbox.seed import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TR_SELLER_ID  # noqa: E402
from flask_amazon_tr.spapi import (  # noqa: E402
    JSON_FEED_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    USAGE_PLANS,
    AuthorizationRevokedError,
    InvalidGrantError,
    InvalidInputError,
    LWAClient,
    MalformedResponseError,
    NetworkError,
    RateLimiter,
    ServerError,
    SPAPIClient,
    ThrottledError,
)

REDIRECT = "http://127.0.0.1/amazon/callback"


@pytest.fixture
def helpers(request):
    try:
        return request.getfixturevalue("sandbox_helpers")
    except pytest.FixtureLookupError:
        sys.path.insert(0, str(Path(__file__).parent))
        import sandbox_fixtures

        return sandbox_fixtures.SandboxHelpers


@pytest.fixture
def clock(sim_clock):
    return sim_clock


@pytest.fixture
def amazon(sim_sandbox):
    """The shared sandbox fixture: it also fails a test whose answers broke Amazon's models."""
    return sim_sandbox


def authorized_client(amazon, helpers, clock, **options):
    redirect = helpers.consent_code(amazon.url, redirect_uri=REDIRECT)
    lwa = LWAClient(token_url=f"{amazon.url}/auth/o2/token", client_id=SANDBOX_CLIENT_ID,
                    client_secret=SANDBOX_CLIENT_SECRET, clock=clock)
    tokens = lwa.exchange_code(redirect["spapi_oauth_code"], redirect_uri=REDIRECT)
    options.setdefault("max_retries", 6)
    options.setdefault("backoff_base", 0.5)
    import random

    options.setdefault("random", random.Random(42))
    client = SPAPIClient(endpoint=amazon.url, lwa=lwa, refresh_token=tokens["refresh_token"],
                         seller_id=redirect["selling_partner_id"], clock=clock, **options)
    return client, redirect


def statuses(amazon, operation=None):
    with amazon.state.lock:
        return [r["status"] for r in amazon.state.requests if operation in (None, r["operation"])]


def test_consent_exchange_then_api_test(amazon, helpers, clock):
    client, redirect = authorized_client(amazon, helpers, clock)
    assert redirect["selling_partner_id"] == TR_SELLER_ID
    participations = client.get_marketplace_participations()
    assert "A33AVAJ2PDY3EV" in [p["marketplace"]["id"] for p in participations]
    assert client.lwa.token_requests == 1  # the exchange's access token was reused

    # The code is single use.
    with pytest.raises(InvalidGrantError):
        client.lwa.exchange_code(redirect["spapi_oauth_code"], redirect_uri=REDIRECT)


def test_revoked_authorization_surfaces_as_its_own_error(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock)
    amazon.state.revoke(seller_id=TR_SELLER_ID)
    client.lwa.forget(client.transport._refresh_token)
    with pytest.raises(AuthorizationRevokedError):
        client.get_marketplace_participations()


def test_expired_access_token_is_refreshed_after_an_hour(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock)
    client.get_marketplace_participations()
    clock.advance(3600 + 1)
    client.get_order(next(iter(amazon.state.orders)))
    assert client.lwa.token_requests == 2
    assert client.stats.errors == {}


def test_paging_1000_orders_at_documented_limits_without_429(amazon, helpers, clock):
    start = clock.now()
    for _ in range(1000):
        amazon.state.add_order(created=start - timedelta(hours=1))
    clock.advance(600)
    client, _ = authorized_client(amazon, helpers, clock)
    t0 = clock.time()
    seen = set()
    pages = 0
    for page in client.search_orders(created_after=start - timedelta(hours=2),
                                      created_before=start - timedelta(minutes=30), max_results=20):
        pages += 1
        seen.update(o["orderId"] for o in page["orders"])
    assert len(seen) == 1000 and pages == 50
    rate, burst = USAGE_PLANS["searchOrders"]
    assert 429 not in statuses(amazon)
    assert client.stats.throttled == 0 and client.stats.retries == 0
    # The burst goes at once, then one page per token: no faster, no slower.
    assert clock.time() - t0 == pytest.approx((pages - burst) / rate, rel=0.01)
    assert amazon.state.response_problems == []


@pytest.mark.parametrize("kind, error", [
    ("throttle", ThrottledError),
    ("500", ServerError),
    ("503", ServerError),
    ("drop", NetworkError),
    ("malformed", MalformedResponseError),
])
def test_injected_faults_are_ridden_out_or_surface_typed(amazon, helpers, clock, kind, error):
    client, _ = authorized_client(amazon, helpers, clock, max_retries=3)
    amazon.state.inject_fault("getMarketplaceParticipations", kind, count=2)
    assert client.get_marketplace_participations()
    assert client.stats.retries == 2

    amazon.state.inject_fault("getMarketplaceParticipations", kind, count=4)
    with pytest.raises(error):
        client.get_marketplace_participations()
    assert client.stats.retries == 2 + 3


def test_slow_answer_times_out_and_is_retried(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock, timeout=(2, 0.3))
    amazon.state.inject_fault("getMarketplaceParticipations", "slow", count=1, seconds=1.0)
    assert client.get_marketplace_participations()
    assert client.stats.retries == 1


def test_a_real_bucket_overrun_is_retried_after_pacing(amazon, helpers, clock):
    # Two processes share a seller but not a limiter: the second one meets a
    # real 429 from the sandbox's bucket and must still get through.
    first, _ = authorized_client(amazon, helpers, clock)
    second = SPAPIClient(endpoint=amazon.url, lwa=first.lwa, refresh_token=first.transport._refresh_token,
                         seller_id=first.seller_id, clock=clock, rate_limiter=RateLimiter(clock=clock))
    rate, burst = USAGE_PLANS["getOrder"]
    order_id = next(iter(amazon.state.orders))
    for _ in range(burst):
        first.get_order(order_id)
    second.get_order(order_id)
    assert second.stats.throttled >= 1
    assert statuses(amazon, "getOrder")[-1] == 200


def needs(*operations):
    from flask_amazon_tr.sandbox.dispatch import HANDLERS

    missing = [op for op in operations if op not in HANDLERS]
    if missing:
        pytest.skip(f"the sandbox does not serve {missing} yet")


def assert_all_accepted(amazon):
    with amazon.state.lock:
        bad = [(r["operation"], r["status"]) for r in amazon.state.requests if r["status"] and r["status"] >= 400]
    assert bad == []
    assert amazon.state.response_problems == []


def test_orders_requests_pass_the_sandbox_validation(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock)
    order_id = next(iter(amazon.state.orders))
    order = client.get_order(order_id, included_data=["BUYER", "RECIPIENT", "FULFILLMENT"])
    assert order["order"]["orderId"] == order_id
    pages = client.search_orders(last_updated_after=clock.now() - timedelta(days=40),
                                 last_updated_before=clock.now() - timedelta(minutes=5),
                                 fulfillment_statuses=["UNSHIPPED", "SHIPPED"], included_data=["FULFILLMENT"])
    found = [order for page in pages for order in page["orders"]]
    assert found and {o["fulfillment"]["fulfillmentStatus"] for o in found} <= {"UNSHIPPED", "SHIPPED"}
    assert_all_accepted(amazon)


def test_catalog_and_product_type_requests_pass_the_sandbox_validation(amazon, helpers, clock):
    needs("searchCatalogItems", "getDefinitionsProductType")
    client, _ = authorized_client(amazon, helpers, clock)
    eans = [item["ean"] for item in amazon.state.catalog.values()][:25]
    result = client.search_catalog_items_by_ean(eans)
    assert result["items"]
    definition = client.get_definitions_product_type("HOME")
    schema = client.download_product_type_schema(definition)
    assert schema.get("required"), "the linked JSON Schema lists the attributes a whole listing needs"
    assert client.download_product_type_schema({}) == {}  # no link, no call
    assert_all_accepted(amazon)


def test_listings_requests_with_turkish_sku_pass_the_sandbox_validation(amazon, helpers, clock):
    needs("putListingsItem", "patchListingsItem", "getListingsItem")
    client, _ = authorized_client(amazon, helpers, clock)
    sku = "Kırmızı Şal/42 İğne"
    # A whole listing the sandbox accepts: a seeded one's attributes under a new SKU.
    _, seeded = sorted(amazon.state.listings[TR_SELLER_ID].items())[0]
    put = client.put_listings_item(sku, product_type=seeded["productType"], requirements="LISTING",
                                   attributes=seeded["attributes"])
    assert put["status"] == "ACCEPTED", put
    client.patch_listings_item(sku, product_type="HOME", patches=[
        {"op": "replace", "path": "/attributes/fulfillment_availability",
         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}])
    got = client.get_listings_item(sku, included_data=["summaries", "fulfillmentAvailability"])
    assert got["sku"] == sku
    assert_all_accepted(amazon)


def test_feed_round_trip_passes_the_sandbox_validation(amazon, helpers, clock):
    needs("createFeedDocument", "createFeed", "getFeed", "getFeedDocument")
    client, _ = authorized_client(amazon, helpers, clock)
    doc = {"header": {"sellerId": client.seller_id, "version": "2.0", "issueLocale": "tr_TR"},
           "messages": [{"messageId": 1, "sku": "Kırmızı Şal/42", "operationType": "DELETE"}]}
    created = client.create_feed_document(JSON_FEED_CONTENT_TYPE)
    client.upload_feed_document(created["url"], json.dumps(doc, ensure_ascii=False).encode("utf-8"),
                                JSON_FEED_CONTENT_TYPE)
    feed_id = client.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"])["feedId"]
    clock.advance(120)
    feed = client.get_feed(feed_id)
    assert feed["processingStatus"] == "DONE", feed
    report = client.download_feed_document(client.get_feed_document(feed["resultFeedDocumentId"]))
    assert b'"header"' in report
    assert_all_accepted(amazon)


def _upload(client):
    doc = {"header": {"sellerId": client.seller_id, "version": "2.0", "issueLocale": "tr_TR"},
           "messages": [{"messageId": 1, "sku": "Kırmızı Şal/42", "operationType": "DELETE"}]}
    created = client.create_feed_document("application/json; charset=UTF-8")
    client.upload_feed_document(created["url"], json.dumps(doc).encode(), "application/json; charset=UTF-8")
    return created["feedDocumentId"]


@pytest.mark.parametrize("kind", ["slow", "drop"])
def test_create_feed_whose_answer_is_lost_is_not_sent_again(amazon, helpers, clock, kind):
    import time

    client, _ = authorized_client(amazon, helpers, clock, timeout=(2, 0.3))
    document_id = _upload(client)
    amazon.state.inject_fault("createFeed", kind, count=1, seconds=0.8)
    with pytest.raises(NetworkError) as caught:
        client.create_feed("JSON_LISTINGS_FEED", document_id)
    assert caught.value.may_have_reached and not caught.value.retryable
    assert client.stats.retries == 0 and client.stats.calls["createFeed"] == 1
    if kind == "slow":
        time.sleep(0.8)  # the request the client gave up on lands on Amazon all the same
        assert len(amazon.state.feeds) == 1
    # an operation that changes nothing is still retried after the same fault
    amazon.state.inject_fault("getMarketplaceParticipations", kind, count=1, seconds=0.8)
    assert client.get_marketplace_participations()


def test_create_feed_that_never_connected_is_retried(amazon, helpers, clock):
    import socket

    client, _ = authorized_client(amazon, helpers, clock, max_retries=2, timeout=(0.5, 5))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    client.transport.endpoint = closed  # nothing listens there: the request is never sent
    with pytest.raises(NetworkError) as caught:
        client.create_feed("JSON_LISTINGS_FEED", "amzn1.tortuga.4.eu.x")
    assert not caught.value.may_have_reached
    assert client.stats.retries == 2


def test_get_feeds_filters_and_pages(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock)
    first = client.create_feed("JSON_LISTINGS_FEED", _upload(client))["feedId"]
    clock.advance(600)
    since = clock.now()
    later = []
    for _ in range(3):
        later.append(client.create_feed("JSON_LISTINGS_FEED", _upload(client))["feedId"])
        clock.advance(1)  # getFeeds lists oldest first, to the second
    other = client.create_feed("POST_PRODUCT_DATA", _upload(client))["feedId"]

    every = list(client.iter_feeds(feed_types=["JSON_LISTINGS_FEED"], page_size=2))
    assert [f["feedId"] for f in every] == [first, *later]
    assert [f["feedId"] for f in client.iter_feeds(feed_types=["JSON_LISTINGS_FEED"], created_since=since)] == later
    assert [f["feedId"] for f in client.iter_feeds(feed_types=["POST_PRODUCT_DATA", "JSON_LISTINGS_FEED"],
                                                   created_since=since)] == [*later, other]
    done = client.feeds.page(feed_types=["JSON_LISTINGS_FEED"], processing_statuses=["DONE"])["feeds"]
    assert [f["feedId"] for f in done] == [first]  # the others are still queued
    clock.advance(120)
    done = client.feeds.page(feed_types=["JSON_LISTINGS_FEED"], processing_statuses=["DONE"])["feeds"]
    assert len(done) == 4 and {f["processingStatus"] for f in done} == {"DONE"}
    # the second page is asked for with the token alone, as the model requires
    page = client.feeds.page(feed_types=["JSON_LISTINGS_FEED"], page_size=3)
    assert len(page["feeds"]) == 3 and page["nextToken"]
    client.feeds.page(next_token=page["nextToken"])
    with amazon.state.lock:
        last = amazon.state.requests[-1]
    assert set(last["query"]) == {"nextToken"}
    with pytest.raises(ValueError):
        client.feeds.page()
    assert amazon.state.response_problems == []


def test_get_feeds_refuses_a_token_with_other_filters(amazon, helpers, clock):
    client, _ = authorized_client(amazon, helpers, clock)
    for _ in range(2):
        client.create_feed("JSON_LISTINGS_FEED", _upload(client))
    page = client.feeds.page(feed_types=["JSON_LISTINGS_FEED"], page_size=1)
    with pytest.raises(InvalidInputError):
        client.transport.request("GET", "/feeds/2021-06-30/feeds", operation="getFeeds",
                                 params={"nextToken": page["nextToken"], "pageSize": 1})
    with pytest.raises(InvalidInputError):
        client.transport.request("GET", "/feeds/2021-06-30/feeds", operation="getFeeds", params={"pageSize": 1})
