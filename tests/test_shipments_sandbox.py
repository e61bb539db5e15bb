"""confirmShipment: the client against the local Amazon, and the sandbox's refusals."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flask_amazon_tr.sandbox.seed import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, TR_SELLER_ID
from flask_amazon_tr.spapi import InvalidInputError, LWAClient, NotFoundError, SPAPIClient

pytest_plugins = ["sandbox_fixtures"]


@pytest.fixture
def client(sim_sandbox, sim_clock, sandbox_helpers):
    tokens = sandbox_helpers.authorize_over_http(sim_sandbox.url)
    lwa = LWAClient(token_url=f"{sim_sandbox.url}/auth/o2/token", client_id=SANDBOX_CLIENT_ID,
                    client_secret=SANDBOX_CLIENT_SECRET, clock=sim_clock)
    return SPAPIClient(endpoint=sim_sandbox.url, lwa=lwa, refresh_token=tokens["refresh_token"],
                       seller_id=TR_SELLER_ID, clock=sim_clock, max_retries=0)


def _order(sim_sandbox, **kw):
    two_lines = [{"orderItemId": "11111111111111", "quantityOrdered": 3,
                  "product": {"asin": "B0TR000001", "sellerSku": "DEMO-0001", "title": "Bakır Cezve"},
                  "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 3}},
                 {"orderItemId": "22222222222222", "quantityOrdered": 1,
                  "product": {"asin": "B0TR000002", "sellerSku": "DEMO-0002", "title": "Türk Kahvesi"},
                  "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": 1}}]
    return sim_sandbox.state.add_order({"orderItems": two_lines}, **kw)


def _package(ref, items, carrier=("Yurtiçi Kargo", None)):
    detail = {"packageReferenceId": ref, "carrierCode": carrier[0], "trackingNumber": f"YK{ref}00991",
              "shipDate": datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc),
              "orderItems": [{"orderItemId": i, "quantity": q} for i, q in items]}
    if carrier[1]:
        detail["carrierName"] = carrier[1]
    return detail


def test_partial_then_final_package_moves_the_order_to_shipped(client, sim_sandbox):
    order = _order(sim_sandbox)
    oid = order["orderId"]
    assert client.confirm_shipment(oid, package_detail=_package("1", [("11111111111111", 2)])) is None
    seen = client.get_order(oid, included_data=["FULFILLMENT", "PACKAGES"])["order"]
    assert seen["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
    [package] = seen["packages"]
    assert package["carrier"] == "Yurtiçi Kargo" and package["trackingNumber"] == "YK100991"
    assert package["packageItems"] == [{"orderItemId": "11111111111111", "quantity": 2}]
    lines = {i["orderItemId"]: i["fulfillment"] for i in seen["orderItems"]}
    assert lines["11111111111111"] == {"quantityFulfilled": 2, "quantityUnfulfilled": 1}

    client.confirm_shipment(oid, package_detail=_package("2", [("11111111111111", 1), ("22222222222222", 1)],
                                                         carrier=("UPS", None)))
    seen = client.get_order(oid, included_data=["FULFILLMENT", "PACKAGES"])["order"]
    assert seen["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert [p["packageReferenceId"] for p in seen["packages"]] == ["1", "2"]
    assert seen["packages"][1]["carrier"] == "UPS"
    [sent] = [r for r in sim_sandbox.state.requests if r["operation"] == "confirmShipment"][-1:]
    assert sent["body"]["marketplaceId"] == "A33AVAJ2PDY3EV"
    assert sent["body"]["packageDetail"]["shipDate"] == "2026-03-02T08:00:00Z"


def _refusal(client, oid, detail) -> str:
    with pytest.raises(InvalidInputError) as caught:
        client.confirm_shipment(oid, package_detail=detail)
    assert caught.value.status == 400 and caught.value.code == "InvalidInput"
    return " ".join(caught.value.messages)


def test_amazon_refuses_what_it_would_refuse(client, sim_sandbox):
    order = _order(sim_sandbox)
    oid = order["orderId"]
    assert "99999999999999 was not found" in _refusal(client, oid, _package("1", [("99999999999999", 1)]))
    assert "exceeds the quantity still to ship" in _refusal(
        client, oid, _package("1", [("11111111111111", 4)]))
    client.confirm_shipment(oid, package_detail=_package("1", [("11111111111111", 2)]))
    # earlier packages count: 2 of 3 shipped, 2 more is one too many
    assert "(1 of 3 ordered)" in _refusal(client, oid, _package("2", [("11111111111111", 2)]))
    assert "already been confirmed" in _refusal(client, oid, _package("1", [("22222222222222", 1)]))
    assert "positive numeric" in _refusal(client, oid, _package("P-3", [("22222222222222", 1)]))

    afn = _order(sim_sandbox, fulfilled_by="AMAZON")
    assert "fulfilled by Amazon" in _refusal(client, afn["orderId"], _package("1", [("11111111111111", 1)]))
    cancelled = _order(sim_sandbox, status="CANCELLED")
    assert "cancelled" in _refusal(client, cancelled["orderId"], _package("1", [("11111111111111", 1)]))
    pending = _order(sim_sandbox, status="PENDING")
    assert "not ready for shipment" in _refusal(client, pending["orderId"], _package("1", [("11111111111111", 1)]))
    with pytest.raises(NotFoundError):
        client.confirm_shipment("404-0000000-0000000", package_detail=_package("1", [("1", 1)]))
    # nothing of the refused packages reached the order
    assert len(sim_sandbox.state.orders[oid]["packages"]) == 1


def test_the_model_refuses_a_date_without_time(client, sim_sandbox):
    oid = _order(sim_sandbox)["orderId"]
    detail = dict(_package("1", [("11111111111111", 1)]), shipDate="02/03/2026")
    assert "shipDate" in _refusal(client, oid, detail)


def test_client_refuses_other_without_a_name_before_calling(client, sim_sandbox):
    oid = _order(sim_sandbox)["orderId"]
    before = sim_sandbox.state.count("confirmShipment")
    with pytest.raises(ValueError):
        client.confirm_shipment(oid, package_detail=_package("1", [("11111111111111", 1)], carrier=("Other", None)))
    assert sim_sandbox.state.count("confirmShipment") == before
