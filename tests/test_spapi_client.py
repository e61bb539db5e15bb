"""SP-API requests: URLs, headers, encoding, pagination, feeds, errors and retries."""
import gzip
import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from flask_amazon_tr.spapi import (
    JSON_FEED_CONTENT_TYPE,
    JSON_LISTINGS_FEED,
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    MalformedResponseError,
    NetworkError,
    NotFoundError,
    ServerError,
    SPAPIError,
    ThrottledError,
    UnauthorizedError,
)
from spapi_helpers import canned_client, reply, token_reply

ERRORS = {"errors": [{"code": "InvalidInput", "message": "Geçersiz SKU", "details": "sku too long"}]}


def ok_listing(sent):
    if "/listings/" in sent.url:
        return reply(200, {"sku": "x", "summaries": []}, {"x-amzn-RequestId": "req-1"})
    return None


# ---------------------------------------------------------------- requests


def test_headers_user_agent_and_timeouts():
    client, transport, _ = canned_client(ok_listing)
    client.get_listings_item("SKU-1")
    sent = transport.sent[-1]
    assert sent.headers["x-amz-access-token"] == "Atza|fake-access"
    assert sent.headers["accept"] == "application/json"
    ua = sent.headers["user-agent"]
    assert ua.startswith("flask-amazon-tr/") and "(Language=Python/3." in ua
    assert sent.timeout == (5, 30)


@pytest.mark.parametrize("sku, encoded", [
    ("ÇİĞDEM-ışık-Ö/Ü 42", "%C3%87%C4%B0%C4%9EDEM-%C4%B1%C5%9F%C4%B1k-%C3%96%2F%C3%9C%2042"),
    ("a/b/c", "a%2Fb%2Fc"),
    ("100% pamuk?#", "100%25%20pamuk%3F%23"),
])
def test_sku_is_one_encoded_path_segment(sku, encoded):
    client, transport, _ = canned_client(ok_listing)
    client.patch_listings_item(sku, product_type="SHIRT",
                               patches=[{"op": "replace", "path": "/attributes/fulfillment_availability",
                                         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]}])
    sent = transport.sent[-1]
    assert sent.method == "PATCH"
    assert sent.path == f"/listings/2021-08-01/items/A1SELLERTR/{encoded}"
    assert sent.query == {"marketplaceIds": "A33AVAJ2PDY3EV", "issueLocale": "tr_TR"}
    assert sent.json()["productType"] == "SHIRT"


def test_endpoint_path_prefix_is_kept():
    client, transport, _ = canned_client(ok_listing, endpoint="http://127.0.0.1:5000/amazon-sandbox/")
    client.get_listings_item("K")
    assert transport.sent[-1].url.startswith("http://127.0.0.1:5000/amazon-sandbox/listings/2021-08-01/items/A1SELLERTR/K?")


def test_listings_calls_need_a_seller_id():
    client, transport, _ = canned_client(ok_listing, seller_id=None)
    with pytest.raises(ValueError):
        client.get_listings_item("K")
    assert transport.sent == []


def test_search_orders_pages_with_same_filters_and_formatted_dates():
    pages = {
        None: {"orders": [{"orderId": "1"}, {"orderId": "2"}], "pagination": {"nextToken": "tok+/=1"}},
        "tok+/=1": {"orders": [{"orderId": "3"}], "pagination": {"nextToken": "tok2"}},
        "tok2": {"orders": [{"orderId": "4"}]},
    }

    def handler(sent):
        if "/orders/" in sent.url:
            return reply(200, pages[sent.query.get("paginationToken")])
        return None

    client, transport, _ = canned_client(handler)
    after = datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=3)))
    answers = client.search_orders(last_updated_after=after, fulfillment_statuses=["UNSHIPPED", "SHIPPED"],
                                   included_data=["BUYER", "RECIPIENT"], max_results=2)
    orders = [order for page in answers for order in page["orders"]]
    assert [o["orderId"] for o in orders] == ["1", "2", "3", "4"]
    calls = [s for s in transport.sent if "/orders/" in s.url]
    assert len(calls) == 3
    first = calls[0].query
    assert first == {
        "marketplaceIds": "A33AVAJ2PDY3EV",
        "lastUpdatedAfter": "2026-01-02T03:04:05+03:00",
        "fulfillmentStatuses": "UNSHIPPED,SHIPPED",
        "includedData": "BUYER,RECIPIENT",
        "maxResultsPerPage": "2",
    }
    # The "+" of an offset must not arrive as a space, and commas stay literal.
    assert "%2B03%3A00" in calls[0].url and "UNSHIPPED,SHIPPED" in calls[0].url
    for call, token in zip(calls[1:], ["tok+/=1", "tok2"]):
        rest = dict(call.query)
        assert rest.pop("paginationToken") == token
        assert rest == first


def test_search_orders_needs_exactly_one_lower_bound():
    client, transport, _ = canned_client(lambda s: None)
    with pytest.raises(ValueError):
        next(client.search_orders())
    with pytest.raises(ValueError):
        next(client.search_orders(created_after="2026-01-01T00:00:00Z", last_updated_after="2026-01-01T00:00:00Z"))
    with pytest.raises(ValueError):
        next(client.search_orders(created_after=datetime(2026, 1, 1)))  # naive: ambiguous
    assert transport.sent == []


def test_search_pages_are_yielded_whole():
    client, _, _ = canned_client(lambda s: reply(200, {"orders": [], "createdBefore": "2026-01-01T00:00:00Z"})
                                 if "/orders/" in s.url else None)
    [page] = list(client.search_orders(created_after="2025-12-01T00:00:00Z"))
    assert page == {"orders": [], "createdBefore": "2026-01-01T00:00:00Z"}


def test_marketplace_participations_returns_payload():
    payload = [{"marketplace": {"id": "A33AVAJ2PDY3EV", "countryCode": "TR"},
                "participation": {"isParticipating": True, "hasSuspendedListings": False}}]
    client, transport, _ = canned_client(lambda s: reply(200, {"payload": payload}) if "/sellers/" in s.url else None)
    assert client.get_marketplace_participations() == payload
    assert transport.sent[-1].path == "/sellers/v1/marketplaceParticipations"


def test_feed_round_trip_upload_without_token_and_gzip_download():
    report = {"header": {"sellerId": "A1SELLERTR", "version": "2.0", "feedId": "F1"},
              "summary": {"errors": 0, "warnings": 0, "messagesProcessed": 1, "messagesAccepted": 1,
                          "messagesInvalid": 0}}
    compressed = gzip.compress(json.dumps(report).encode())

    def handler(sent):
        if sent.url.endswith("/feeds/2021-06-30/documents"):
            return reply(201, {"feedDocumentId": "DOC-1", "url": "https://tortuga.example/upload?sig=abc"})
        if sent.url.startswith("https://tortuga.example/upload"):
            return reply(200, b"")
        if sent.url.endswith("/feeds/2021-06-30/feeds"):
            return reply(202, {"feedId": "F1"})
        if sent.url.startswith("https://tortuga.example/result"):
            return reply(200, compressed)
        return None

    client, transport, _ = canned_client(handler)
    doc = {"header": {"sellerId": "A1SELLERTR", "version": "2.0", "issueLocale": "tr_TR"},
           "messages": [{"messageId": 1, "sku": "Kırmızı Şal/42", "operationType": "DELETE"}]}
    created = client.create_feed_document(JSON_FEED_CONTENT_TYPE)
    client.upload_feed_document(created["url"], json.dumps(doc, ensure_ascii=False).encode("utf-8"),
                                JSON_FEED_CONTENT_TYPE)
    assert client.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"]) == {"feedId": "F1"}

    create_doc, upload, create_feed = [s for s in transport.sent if "auth/o2" not in s.url]
    assert create_doc.json() == {"contentType": "application/json; charset=UTF-8"}
    assert upload.method == "PUT"
    assert upload.headers["content-type"] == "application/json; charset=UTF-8"
    assert "x-amz-access-token" not in upload.headers
    assert json.loads(upload.body.decode("utf-8")) == doc
    assert create_feed.json() == {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["A33AVAJ2PDY3EV"],
                                  "inputFeedDocumentId": "DOC-1"}

    data = client.download_feed_document({"feedDocumentId": "R1", "url": "https://tortuga.example/result",
                                          "compressionAlgorithm": "GZIP"})
    assert json.loads(data) == report


def test_download_plain_document_is_returned_as_is():
    client, _, _ = canned_client(lambda s: reply(200, b"plain report") if "tortuga" in s.url else None)
    assert client.download_feed_document({"feedDocumentId": "R", "url": "https://tortuga.example/r"}) == b"plain report"


def test_catalog_search_batches_20_eans_per_call():
    eans = [f"86900000{i:05d}" for i in range(45)]

    def handler(sent):
        if "/catalog/" in sent.url:
            ids = sent.query["identifiers"].split(",")
            return reply(200, {"numberOfResults": len(ids), "items": [{"asin": f"B0{e}"} for e in ids]})
        return None

    client, transport, _ = canned_client(handler)
    result = client.search_catalog_items_by_ean(eans)
    calls = [s for s in transport.sent if "/catalog/" in s.url]
    assert [len(c.query["identifiers"].split(",")) for c in calls] == [20, 20, 5]
    assert all(c.query["identifiersType"] == "EAN" and c.query["marketplaceIds"] == "A33AVAJ2PDY3EV" for c in calls)
    assert calls[0].query["includedData"] == "summaries,identifiers"
    assert result["numberOfResults"] == 45 and len(result["items"]) == 45


def test_product_type_definition_query():
    client, transport, _ = canned_client(lambda s: reply(200, {"productType": "SHIRT"}) if "/definitions/" in s.url else None)
    assert client.get_definitions_product_type("SHIRT")["productType"] == "SHIRT"
    q = transport.sent[-1].query
    assert q["requirements"] == "LISTING" and q["locale"] == "tr_TR" and q["marketplaceIds"] == "A33AVAJ2PDY3EV"


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("status, cls", [
    (400, InvalidInputError), (401, UnauthorizedError), (403, ForbiddenError), (404, NotFoundError),
    (413, InvalidInputError), (415, InvalidInputError), (422, InvalidInputError),
])
def test_error_bodies_become_typed_errors_with_amazon_messages(status, cls):
    client, transport, _ = canned_client(
        lambda s: reply(status, ERRORS, {"x-amzn-RequestId": "rid-9"}) if "/listings/" in s.url else None)
    with pytest.raises(cls) as info:
        client.get_listings_item("K")
    err = info.value
    assert err.status == status and err.code == "InvalidInput" and err.request_id == "rid-9"
    assert err.operation == "getListingsItem"
    assert err.errors == ERRORS["errors"]
    text = str(err)
    assert "Geçersiz SKU" in text and "sku too long" in text and "rid-9" in text
    assert "Atza|" not in text and "Atzr|" not in text


def test_client_errors_are_not_retried_but_401_gets_one_fresh_token():
    client, transport, _ = canned_client(lambda s: reply(401, ERRORS) if "/listings/" in s.url else None)
    with pytest.raises(UnauthorizedError):
        client.get_listings_item("K")
    api = [s for s in transport.sent if "/listings/" in s.url]
    tokens = [s for s in transport.sent if "auth/o2" in s.url]
    assert len(api) == 2 and len(tokens) == 2
    assert client.stats.retries == 0

    client, transport, _ = canned_client(lambda s: reply(400, ERRORS) if "/listings/" in s.url else None)
    with pytest.raises(InvalidInputError):
        client.get_listings_item("K")
    assert len([s for s in transport.sent if "/listings/" in s.url]) == 1


def test_revoked_refresh_token_surfaces_without_api_call():
    def handler(sent):
        if "auth/o2" in sent.url:
            return reply(400, {"error": "invalid_grant", "error_description": "revoked"})
        return reply(200, {})

    client, transport, _ = canned_client(handler)
    with pytest.raises(AuthorizationRevokedError):
        client.get_marketplace_participations()
    assert all("auth/o2" in s.url for s in transport.sent) and len(transport.sent) == 1


def test_429_is_retried_with_growing_jittered_backoff_then_succeeds():
    answers = [reply(429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]})] * 3
    answers.append(reply(200, {"sku": "K"}))

    def handler(sent):
        return answers.pop(0) if "/listings/" in sent.url else None

    client, transport, clock = canned_client(handler, backoff_base=1.0, backoff_cap=60.0)
    slept = []
    real_sleep = clock.sleep
    clock.sleep = lambda s: (slept.append(s), real_sleep(s))
    assert client.get_listings_item("K") == {"sku": "K"}
    assert client.stats.throttled == 3 and client.stats.retries == 3
    assert client.stats.calls["getListingsItem"] == 4
    backoffs = client.stats.backoff_seconds
    assert 0 < backoffs <= 1 + 2 + 4
    # Full jitter: each pause is within [0, base * 2**attempt].
    assert sum(slept) >= backoffs


def test_retries_exhausted_raise_throttled_error():
    client, transport, _ = canned_client(
        lambda s: reply(429, {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
                        {"Retry-After": "2"}) if "/orders/" in s.url else None,
        max_retries=3)
    with pytest.raises(ThrottledError) as info:
        client.get_order("171-1234567-1234567")
    assert info.value.retry_after == 2.0
    assert "You exceeded your quota" in str(info.value)
    assert len([s for s in transport.sent if "/orders/" in s.url]) == 4
    assert client.stats.errors["ThrottledError"] == 1
    # Retry-After is a floor for each pause.
    assert client.stats.backoff_seconds >= 3 * 2.0


@pytest.mark.parametrize("fault, cls", [
    (reply(500, {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error"}]}), ServerError),
    (reply(503, "<html>Service Unavailable</html>"), ServerError),
    (requests.ConnectTimeout("connect timed out"), NetworkError),
    (requests.ReadTimeout("read timed out"), NetworkError),
    (requests.ConnectionError("connection reset"), NetworkError),
    (reply(200, "{\"orders\": [trunc"), MalformedResponseError),
])
def test_transient_faults_are_retried_then_succeed_or_raise_typed(fault, cls):
    count = {"n": 0}

    def flaky(sent):
        if "/orders/" not in sent.url:
            return None
        count["n"] += 1
        return fault if count["n"] <= 2 else reply(200, {"order": {"orderId": "1"}})

    client, _, _ = canned_client(flaky)
    assert client.get_order("1") == {"order": {"orderId": "1"}}
    assert client.stats.retries == 2

    client, transport, _ = canned_client(lambda s: fault if "/orders/" in s.url else None, max_retries=2)
    with pytest.raises(cls) as info:
        client.get_order("1")
    assert isinstance(info.value, SPAPIError)
    assert len([s for s in transport.sent if "/orders/" in s.url]) == 3


def test_error_str_joins_every_amazon_message():
    body = {"errors": [{"code": "InvalidInput", "message": "first problem"},
                       {"code": "InvalidInput", "message": "second problem", "details": "why"}]}
    client, _, _ = canned_client(lambda s: reply(400, body) if "/feeds/" in s.url else None)
    with pytest.raises(InvalidInputError) as info:
        client.get_feed("F1")
    assert "first problem" in str(info.value) and "second problem (why)" in str(info.value)
    assert info.value.messages == ["first problem", "second problem (why)"]


def test_token_refresh_failure_inside_call_is_retried():
    answers = [reply(500, ""), token_reply("Atza|late")]

    def handler(sent):
        if "auth/o2" in sent.url:
            return answers.pop(0)
        return reply(200, {"payload": []})

    client, transport, _ = canned_client(handler)
    assert client.get_marketplace_participations() == []
    assert transport.sent[-1].headers["x-amz-access-token"] == "Atza|late"


# ---------------------------------------------------------------- the client's session


def _prepared_by(session, method, url, **kwargs):
    """What ``session.request`` would send: the prepared request and the settings it is sent with."""
    request = requests.Request(method=method, url=url, headers=kwargs.get("headers"), data=kwargs.get("data") or {},
                               params=kwargs.get("params") or {}, auth=kwargs.get("auth"), hooks=kwargs.get("hooks"))
    prepared = session.prepare_request(request)
    settings = session.merge_environment_settings(prepared.url, kwargs.get("proxies") or {}, None, None, None)
    return ((prepared.method, prepared.url, dict(prepared.headers), prepared.body),
            {**settings, "proxies": dict(settings["proxies"])})


@pytest.mark.parametrize("proxy", [None, "http://proxy.example:3128"])
@pytest.mark.parametrize("method, url, kwargs", [
    ("GET", "https://sellingpartnerapi-eu.amazon.com/orders/2026-01-01/orders?marketplaceIds=A33AVAJ2PDY3EV",
     {"headers": {"accept": "application/json", "x-amz-access-token": "Atza|t"}}),
    ("PATCH", "https://sellingpartnerapi-eu.amazon.com/listings/2021-08-01/items/A1/%C3%87%2F1?marketplaceIds=A",
     {"headers": {"content-type": "application/json", "user-agent": "flask-amazon-tr/1"}, "data": b'{"a": "\xc3\xa7"}'}),
    ("POST", "http://127.0.0.1:5000/amazon-sandbox/feeds/2021-06-30/documents", {"headers": {"Accept-Encoding": None}}),
    ("PUT", "https://tortuga.example/upload?sig=a%2Fb", {"data": b"x" * 10, "params": {"extra": "1"}}),
    ("GET", "https://sellingpartnerapi-eu.amazon.com/sellers/v1/marketplaceParticipations",
     {"auth": ("user", "pass"), "proxies": {"https": "http://other.example:8080"}}),
])
def test_the_client_session_prepares_what_requests_prepares(proxy, method, url, kwargs):
    from flask_amazon_tr.spapi.sessions import new_session

    plain = requests.Session()
    plain.trust_env = False
    if proxy:
        plain.proxies = {"http": proxy, "https": proxy}
    ours = new_session(proxy)
    assert _prepared_by(ours, method, url, **kwargs) == _prepared_by(plain, method, url, **kwargs)


def test_the_client_session_sends_a_cookie_amazon_set_and_a_callers_auth():
    from flask_amazon_tr.spapi.sessions import new_session

    url = "https://sellingpartnerapi-eu.amazon.com/x"
    with_cookie = new_session()
    with_cookie.cookies.set("session-token", "abc", domain="sellingpartnerapi-eu.amazon.com")
    assert with_cookie.prepare_request(requests.Request("GET", url, headers={})).headers["Cookie"] == "session-token=abc"
    with_auth = new_session()
    with_auth.auth = ("user", "pass")
    assert with_auth.prepare_request(requests.Request("GET", url, headers={})).headers["Authorization"].startswith("Basic ")
