"""Sellers and Orders 2026-01-01 on the local Amazon."""
from __future__ import annotations

from decimal import Decimal

import requests

from flask_amazon_tr.sandbox.seed import FULFILLMENT_STATUSES, NON_TR_SELLER_ID, TR_MARKETPLACE_ID

pytest_plugins = ["sandbox_fixtures"]

ORDERS = "/orders/2026-01-01/orders"
LONG_AGO = "2020-01-01T00:00:00Z"


def _all_orders(session, url, **params):
    params = {"createdAfter": LONG_AGO, **params}
    out, token = [], None
    while True:
        q = dict(params, **({"paginationToken": token} if token else {}))
        r = session.get(url + ORDERS, params=q)
        assert r.status_code == 200, r.text
        out += r.json()["orders"]
        token = r.json().get("pagination", {}).get("nextToken")
        if not token:
            return out


def test_participations_tr_and_non_tr(sandbox, sandbox_helpers):
    tr = sandbox_helpers.authorize_over_http(sandbox.url)["access_token"]
    de = sandbox_helpers.authorize_over_http(sandbox.url, NON_TR_SELLER_ID)["access_token"]
    url = sandbox.url + "/sellers/v1/marketplaceParticipations"
    r = requests.get(url, headers={"x-amz-access-token": tr})
    assert r.headers["x-amzn-RateLimit-Limit"] == "0.016" and r.headers["x-amzn-RequestId"]
    [p] = r.json()["payload"]
    assert p["marketplace"]["id"] == TR_MARKETPLACE_ID and p["storeName"] == "Anadolu Çarşı"
    ids = [p["marketplace"]["id"] for p in
           requests.get(url, headers={"x-amz-access-token": de}).json()["payload"]]
    assert TR_MARKETPLACE_ID not in ids and ids == ["A1PN6A0ZF4ZA2Z"]


def test_missing_or_unknown_token_is_403(sandbox):
    url = sandbox.url + "/sellers/v1/marketplaceParticipations"
    for headers in ({}, {"x-amz-access-token": "Atza|forged"}):
        r = requests.get(url, headers=headers)
        assert r.status_code == 403
        assert r.json() == {"errors": [{"code": "Unauthorized", "message":
                                        "Access to requested resource is denied.", "details": ""}]}


def test_seed_orders_are_turkish_and_cover_every_status(sandbox_session, sandbox):
    orders = _all_orders(sandbox_session, sandbox.url, includedData="BUYER,RECIPIENT,FULFILLMENT,PROCEEDS")
    assert 50 <= len(orders) <= 70
    assert {o["fulfillment"]["fulfillmentStatus"] for o in orders} == set(FULFILLMENT_STATUSES)
    assert {o["fulfillment"]["fulfilledBy"] for o in orders} == {"MERCHANT", "AMAZON"}
    cities = {o["recipient"]["deliveryAddress"]["city"] for o in orders if "deliveryAddress" in o["recipient"]}
    assert {"İstanbul", "Ankara", "İzmir"} <= cities
    assert any(set("İışğüöç") & set(o["buyer"].get("buyerName", "")) for o in orders)
    for o in orders:
        total = sum(Decimal(i["product"]["price"]["unitPrice"]["amount"]) * i["quantityOrdered"]
                    for i in o["orderItems"])
        assert o["proceeds"]["grandTotal"] == {"amount": f"{total:.2f}", "currencyCode": "TRY"}
        assert all(i["product"]["sellerSku"] for i in o["orderItems"])
    assert any(len(o["orderItems"]) > 1 for o in orders)


def test_included_data_controls_sections(sandbox_session, sandbox):
    bare = sandbox_session.get(sandbox.url + ORDERS, params={"createdAfter": LONG_AGO,
                                                            "maxResultsPerPage": 3}).json()
    for o in bare["orders"]:
        assert not {"buyer", "recipient", "fulfillment", "proceeds"} & set(o)
        assert "proceeds" not in o["orderItems"][0]
    full = sandbox_session.get(sandbox.url + ORDERS, params={
        "createdAfter": LONG_AGO, "maxResultsPerPage": 3, "includedData": "BUYER"}).json()
    assert all("buyer" in o and "recipient" not in o for o in full["orders"])


def test_pagination_and_filter_mismatch(sandbox_session, sandbox):
    url = sandbox.url + ORDERS
    q = {"createdAfter": LONG_AGO, "maxResultsPerPage": 25}
    first = sandbox_session.get(url, params=q).json()
    assert len(first["orders"]) == 25
    token = first["pagination"]["nextToken"]
    second = sandbox_session.get(url, params={**q, "paginationToken": token}).json()
    assert not {o["orderId"] for o in first["orders"]} & {o["orderId"] for o in second["orders"]}
    other = sandbox_session.get(url, params={**q, "paginationToken": token,
                                             "fulfillmentStatuses": "SHIPPED"})
    assert other.status_code == 400
    assert other.json()["errors"][0]["code"] == "InvalidInput"
    moved = sandbox_session.get(url, params={**q, "createdAfter": "2021-01-01T00:00:00Z",
                                             "paginationToken": token})
    assert moved.status_code == 400
    all_ids = [o["orderId"] for o in _all_orders(sandbox_session, sandbox.url, maxResultsPerPage=7)]
    assert len(all_ids) == len(set(all_ids)) == len(sandbox.state.orders)


def test_filters(sandbox_session, sandbox):
    shipped = _all_orders(sandbox_session, sandbox.url, fulfillmentStatuses="SHIPPED,CANCELLED",
                          fulfilledBy="AMAZON", includedData="FULFILLMENT")
    assert shipped
    assert all(o["fulfillment"]["fulfillmentStatus"] in ("SHIPPED", "CANCELLED") and
               o["fulfillment"]["fulfilledBy"] == "AMAZON" for o in shipped)
    assert _all_orders(sandbox_session, sandbox.url, marketplaceIds="A1PN6A0ZF4ZA2Z") == []


def test_bad_search_requests_are_invalid_input(require_models, sandbox_session, sandbox):
    url = sandbox.url + ORDERS
    now_ish = sandbox.state.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    bad = [
        {},  # neither createdAfter nor lastUpdatedAfter
        {"createdAfter": LONG_AGO, "lastUpdatedAfter": LONG_AGO},
        {"createdAfter": "2024-01-01"},  # no time
        {"createdAfter": "2024-01-01T10:00Z"},  # no seconds
        {"createdAfter": LONG_AGO, "fulfillmentStatuses": "SHIPPED,LOST"},
        {"createdAfter": LONG_AGO, "includedData": "BUYER,EVERYTHING"},
        {"createdAfter": LONG_AGO, "maxResultsPerPage": "101"},
        {"createdAfter": LONG_AGO, "maxResultsPerPage": "abc"},
        {"createdAfter": LONG_AGO, "createdBefore": now_ish},  # not two minutes ago
        {"createdAfter": LONG_AGO, "marketplaceIds": ",".join(["A33AVAJ2PDY3EV"] * 51)},
        {"createdAfter": LONG_AGO, "paginationToken": "made-up"},
    ]
    for params in bad:
        r = sandbox_session.get(url, params=params)
        assert r.status_code == 400, params
        err = r.json()["errors"][0]
        assert err["code"] == "InvalidInput" and err["message"], params


def test_get_order_and_404(sandbox_session, sandbox):
    some = next(oid for oid, o in sandbox.state.orders.items()
                if o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED")
    r = sandbox_session.get(f"{sandbox.url}{ORDERS}/{some}", params={"includedData": "RECIPIENT"})
    assert r.status_code == 200
    order = r.json()["order"]
    assert order["orderId"] == some and order["recipient"]["deliveryAddress"]["countryCode"] == "TR"
    missing = sandbox_session.get(f"{sandbox.url}{ORDERS}/407-0000000-0000000")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NotFound"


def test_other_sellers_orders_are_invisible(sandbox, sandbox_helpers):
    de = sandbox_helpers.authorize_over_http(sandbox.url, NON_TR_SELLER_ID)["access_token"]
    h = {"x-amz-access-token": de}
    r = requests.get(sandbox.url + ORDERS, params={"createdAfter": LONG_AGO}, headers=h)
    assert r.status_code == 200 and r.json()["orders"] == []
    some = next(iter(sandbox.state.orders))
    assert requests.get(f"{sandbox.url}{ORDERS}/{some}", headers=h).status_code == 404


def test_added_and_changed_orders_show_up_by_last_update(sim_session, sim_sandbox, sim_clock):
    url = sim_sandbox.url
    start = sim_sandbox.state.now_iso()
    sim_clock.advance(60)
    r = requests.post(url + "/_sandbox/orders", json={"status": "UNSHIPPED"})
    assert r.status_code == 201
    new_id = r.json()["orders"][0]["orderId"]
    old_id = next(o for o in sim_sandbox.state.orders if o != new_id)
    sim_clock.advance(60)
    assert requests.patch(f"{url}/_sandbox/orders/{old_id}",
                          json={"fulfillmentStatus": "CANCELLED"}).status_code == 200
    sim_clock.advance(300)
    got = sim_session.get(url + ORDERS, params={"lastUpdatedAfter": start,
                                                "includedData": "FULFILLMENT"}).json()
    by_id = {o["orderId"]: o for o in got["orders"]}
    assert set(by_id) == {new_id, old_id}
    assert by_id[old_id]["fulfillment"]["fulfillmentStatus"] == "CANCELLED"
    assert got["lastUpdatedBefore"]


# --- Amazon's gates on personal data, TAX, cancellation requests, ship-by (issue 14.4) ---------------

ALL_DATA = "BUYER,RECIPIENT,FULFILLMENT,TAX,CANCELLATION"


def _get(session, url, order_id, included=ALL_DATA):
    r = session.get(f"{url}{ORDERS}/{order_id}", params={"includedData": included})
    assert r.status_code == 200, r.text
    return r.json()["order"]


def test_address_and_buyer_only_for_ready_merchant_orders(sandbox_session, sandbox):
    """Access Orders PII + Cancellations FAQ: PII in UNSHIPPED/PARTIALLY_SHIPPED/SHIPPED of merchant orders."""
    st = sandbox.state
    ready = st.add_order(status="UNSHIPPED")
    pending = st.add_order(status="PENDING")
    fba = st.add_order(status="UNSHIPPED", fulfilled_by="AMAZON")
    cancelled = st.add_order(status="CANCELLED")
    got = _get(sandbox_session, sandbox.url, ready["orderId"])
    assert got["recipient"]["deliveryAddress"] == ready["recipient"]["deliveryAddress"]
    assert got["buyer"]["buyerName"] == ready["buyer"]["buyerName"] and got["buyer"]["buyerEmail"]
    # pending: no shipping address at all, no buyer name
    got = _get(sandbox_session, sandbox.url, pending["orderId"])
    assert "deliveryAddress" not in got["recipient"] and "buyerName" not in got["buyer"]
    # Amazon ships FBA orders: the town stays, the street, name, postal code and phone do not; the name
    # comes with a tax role
    got = _get(sandbox_session, sandbox.url, fba["orderId"])
    address = got["recipient"]["deliveryAddress"]
    assert address["city"] == fba["recipient"]["deliveryAddress"]["city"]
    assert not {"name", "addressLine1", "addressLine2", "postalCode", "phone"} & set(address)
    assert got["buyer"]["buyerName"] == fba["buyer"]["buyerName"] and "buyerEmail" not in got["buyer"]
    got = _get(sandbox_session, sandbox.url, cancelled["orderId"])
    assert "addressLine1" not in got["recipient"]["deliveryAddress"] and "buyerName" not in got["buyer"]


def test_no_restricted_role_no_personal_data_but_the_call_succeeds(sandbox, sandbox_helpers):
    """amzn/selling-partner-api-models#5300: without Direct-to-Consumer Shipping the address is missing."""
    from flask_amazon_tr.sandbox.seed import NO_PII_ROLE_SELLER_ID

    order = sandbox.state.add_order({"tax": {
        "taxRegistrations": [{"entityType": "BUYER", "taxRegistrationNumber": "TR1234567890"}],
        "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"}}}, status="UNSHIPPED", seller_id=NO_PII_ROLE_SELLER_ID)
    token = sandbox_helpers.authorize_over_http(sandbox.url, NO_PII_ROLE_SELLER_ID)["access_token"]
    with requests.Session() as s:
        s.headers["x-amz-access-token"] = token
        got = _get(s, sandbox.url, order["orderId"])
    address = got["recipient"]["deliveryAddress"]
    assert "addressLine1" not in address and "phone" not in address and address["countryCode"] == "TR"
    assert "buyerName" not in got["buyer"] and "buyerEmail" not in got["buyer"]
    # "Get tax information": the registrations need a tax role, the preference does not
    assert got["tax"] == {"taxInvoicing": {"buyerInvoicePreference": "BUSINESS"}}


def test_without_an_orders_role_searchorders_and_getorder_are_403(sandbox, sandbox_helpers):
    from flask_amazon_tr.sandbox.seed import NO_ORDERS_ROLE_SELLER_ID

    order = sandbox.state.add_order(seller_id=NO_ORDERS_ROLE_SELLER_ID)
    token = sandbox_helpers.authorize_over_http(sandbox.url, NO_ORDERS_ROLE_SELLER_ID)["access_token"]
    h = {"x-amz-access-token": token}
    r = requests.get(sandbox.url + ORDERS, params={"createdAfter": LONG_AGO, "includedData": ALL_DATA}, headers=h)
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "Unauthorized"
    assert requests.get(f"{sandbox.url}{ORDERS}/{order['orderId']}", headers=h).status_code == 403


def test_phone_goes_once_the_delivery_window_has_passed(sandbox_session, sandbox):
    """orders-2026-01-01.json, CustomerAddress.phone: suppressed for shipped FBM orders past the latest delivery."""
    from datetime import timedelta

    st = sandbox.state
    recent = st.add_order(status="SHIPPED")
    # the seed's delivery window ends 5 days after the order was placed
    old = st.add_order(status="SHIPPED", created=st.now() - timedelta(days=6))
    assert _get(sandbox_session, sandbox.url, recent["orderId"])["recipient"]["deliveryAddress"]["phone"]
    address = _get(sandbox_session, sandbox.url, old["orderId"])["recipient"]["deliveryAddress"]
    assert "phone" not in address and address["addressLine1"] == old["recipient"]["deliveryAddress"]["addressLine1"]
    unshipped = st.add_order(status="UNSHIPPED", created=st.now() - timedelta(days=6))
    assert _get(sandbox_session, sandbox.url, unshipped["orderId"])["recipient"]["deliveryAddress"]["phone"]


def test_business_buyers_come_with_their_tax_registration_like_amazons_tr_example(sandbox_session, sandbox):
    orders = _all_orders(sandbox_session, sandbox.url, includedData="TAX,FULFILLMENT")
    preferences = {o["tax"]["taxInvoicing"]["buyerInvoicePreference"] for o in orders}
    assert preferences == {"INDIVIDUAL", "BUSINESS"}
    business = [o for o in orders if o["tax"]["taxInvoicing"]["buyerInvoicePreference"] == "BUSINESS"]
    for o in business:
        [reg] = o["tax"]["taxRegistrations"]
        assert reg["entityType"] == "BUYER" and reg["taxRegistrationType"] == "BUSINESS"
        assert reg["taxRegistrationNumber"].startswith("TR") and len(reg["taxRegistrationNumber"]) == 12
        [office] = reg["taxRegistrationAttributes"]
        assert office["key"] == "TAX_OFFICE" and office["value"].endswith("Vergi Dairesi")
        assert reg["legalName"] and reg["taxRegistrationAddress"]["countryCode"] == "TR"
    assert all("taxRegistrations" not in o["tax"] for o in orders if o not in business)
    # every order has its ship-by window, Amazon-fulfilled ones too (orders-2026-01-01.json's FBA example)
    assert all("shipByWindow" in o["fulfillment"] for o in orders)


def test_a_buyer_asks_for_cancellation_through_the_control_api(sim_session, sim_sandbox, sim_clock):
    url = sim_sandbox.url
    st = sim_sandbox.state
    order = st.add_order(status="UNSHIPPED")
    before = st.orders[order["orderId"]]["lastUpdatedTime"]
    sim_clock.advance(60)
    r = requests.post(f"{url}/_sandbox/orders/{order['orderId']}/cancellation-request",
                      json={"reason": "Fikrimi değiştirdim"})
    assert r.status_code == 200
    got = _get(sim_session, url, order["orderId"])
    assert got["lastUpdatedTime"] > before
    for item in got["orderItems"]:
        assert item["cancellation"] == {"cancellationRequest": {"requester": "BUYER",
                                                                "cancelReason": "Fikrimi değiştirdim"}}
    # only with includedData CANCELLATION
    assert all("cancellation" not in i for i in _get(sim_session, url, order["orderId"], "FULFILLMENT")["orderItems"])
    shipped = st.add_order(status="SHIPPED")
    fba = st.add_order(status="UNSHIPPED", fulfilled_by="AMAZON")
    for oid in (shipped["orderId"], fba["orderId"]):
        assert requests.post(f"{url}/_sandbox/orders/{oid}/cancellation-request", json={}).status_code == 409
    assert requests.post(f"{url}/_sandbox/orders/407-0000000-0000000/cancellation-request").status_code == 404
