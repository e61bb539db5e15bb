"""Orders v0 confirmShipment over the sandbox's Orders 2026-01-01 orders.

A confirmed package shows up where Amazon shows it: in the order's
``packages`` (includedData=PACKAGES), in each item's quantityFulfilled and
quantityUnfulfilled, and in ``fulfillment.fulfillmentStatus``
(PARTIALLY_SHIPPED, then SHIPPED).
"""
from __future__ import annotations

import copy
import re

from .dispatch import ApiError, Call, invalid, operation
from .models import parse_date_time
from .ops_orders import ORDER_ID
from .seed import iso

POSITIVE_NUMBER = re.compile(r"^[1-9][0-9]*$")
#: Amazon accepts confirmations only once an order may ship.
SHIPPABLE = {"UNSHIPPED", "PARTIALLY_SHIPPED"}
#: Statuses whose orders are "not ready for shipment": payment not authorized yet (orders-v0.json
#: OrderStatus: Pending and PendingAvailability "The order is not ready for shipment").
NOT_READY = {"PENDING", "PENDING_AVAILABILITY"}
#: The carrier codes Amazon takes for Amazon.com.tr. Amazon requires carrierCode to "match the options
#: listed in Seller Central exactly" and takes "Other" (with carrierName) only for unlisted carriers
#: (amzn/selling-partner-api-docs issues 413 and 772). The Turkish part of Seller Central's list as quoted
#: in this project's issue 14, plus global carriers Amazon lists in every marketplace. Assumption: an
#: unlisted code is refused with 400 InvalidInput (integrators report such confirmations "remain
#: unconfirmed"; the exact message is ours).
CARRIER_CODES = frozenset({
    "Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo", "Horoz Lojistik", "Ceva Lojistik",
    "Geopost Kargo", "DHL Kargo", "UPS", "DHL", "FedEx", "TNT", "Aramex", "Amazon Shipping", "Other",
})


def shipped_quantities(order: dict) -> dict[str, int]:
    """Units of each order item already in a confirmed package."""
    done: dict[str, int] = {}
    for package in order.get("packages") or []:
        for item in package.get("packageItems") or []:
            done[item["orderItemId"]] = done.get(item["orderItemId"], 0) + int(item["quantity"])
    return done


@operation("confirmShipment")
def confirm_shipment(call: Call):
    order_id = call.params["orderId"]
    if not ORDER_ID.match(order_id):
        raise invalid(f"Invalid orderId '{order_id}': expected the 3-7-7 digit form.")
    body = call.body if isinstance(call.body, dict) else {}
    detail = body.get("packageDetail") or {}
    state = call.state
    with state.lock:
        order = state.orders.get(order_id)
        if order is None or order.get("_sellerId") != call.seller_id:
            raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
        marketplace = (order.get("salesChannel") or {}).get("marketplaceId")
        if body.get("marketplaceId") != marketplace:
            raise invalid(f"Invalid marketplaceId '{body.get('marketplaceId')}' for order {order_id}.")
        fulfillment = order.get("fulfillment") or {}
        if fulfillment.get("fulfilledBy") == "AMAZON":
            raise invalid(f"Order {order_id} is fulfilled by Amazon; shipment confirmation is only for "
                          "merchant-fulfilled orders.")
        status = fulfillment.get("fulfillmentStatus")
        if status == "CANCELLED":
            raise invalid(f"Order {order_id} has been cancelled and cannot be shipped.")
        if status == "SHIPPED":
            raise invalid(f"All items of order {order_id} have already been shipped.")
        if status in NOT_READY:
            # Assumption: the refusal's text is orders-v0.json's own description of these statuses ("The
            # order is not ready for shipment"); the exact error message Amazon sends is not documented.
            raise invalid("The order is not ready for shipment")
        if status not in SHIPPABLE:
            raise invalid(f"Order {order_id} is in status {status} and cannot be shipped yet.")

        reference = str(detail.get("packageReferenceId", ""))
        if not POSITIVE_NUMBER.match(reference):
            raise invalid(f"Invalid packageReferenceId '{reference}': only positive numeric values are supported.")
        if any(p.get("packageReferenceId") == reference for p in order.get("packages") or []):
            raise invalid(f"Package {reference} of order {order_id} has already been confirmed.")
        carrier_code = str(detail.get("carrierCode") or "").strip()
        carrier_name = str(detail.get("carrierName") or "").strip()
        if not carrier_code:
            raise invalid("carrierCode is required.")
        if carrier_code not in CARRIER_CODES:
            raise invalid(f"Invalid carrierCode '{carrier_code}': use a carrier code from the list in Seller "
                          "Central, or Other with carrierName for a carrier that is not on it.")
        if carrier_code == "Other" and not carrier_name:
            raise invalid('carrierName is required when carrierCode is "Other".')
        if not str(detail.get("trackingNumber") or "").strip():
            raise invalid("trackingNumber is required.")

        items = {item["orderItemId"]: item for item in order.get("orderItems") or []}
        wanted: dict[str, int] = {}
        for line in detail.get("orderItems") or []:
            item_id = str(line.get("orderItemId"))
            if item_id not in items:
                raise invalid(f"Order item {item_id} was not found in order {order_id}.")
            if int(line.get("quantity", 0)) < 1:
                raise invalid(f"The quantity of order item {item_id} must be at least 1.")
            wanted[item_id] = wanted.get(item_id, 0) + int(line["quantity"])
        if not wanted:
            raise invalid("orderItems must list at least one order item.")
        done = shipped_quantities(order)
        for item_id, quantity in wanted.items():
            ordered = int(items[item_id]["quantityOrdered"])
            already = max(done.get(item_id, 0), int((items[item_id].get("fulfillment") or {})
                                                    .get("quantityFulfilled", 0)))
            if already + quantity > ordered:
                raise invalid(f"The quantity {quantity} for order item {item_id} exceeds the quantity still to "
                              f"ship ({ordered - already} of {ordered} ordered).")

        now = iso(state.now())
        package = {
            "packageReferenceId": reference,
            "createdTime": now,
            "packageStatus": {"status": "SHIPPED"},
            "carrier": carrier_name if carrier_code == "Other" else carrier_code,
            "shipTime": iso_or_now(detail.get("shipDate"), now),
            "trackingNumber": str(detail["trackingNumber"]),
            "packageItems": [{"orderItemId": k, "quantity": v} for k, v in wanted.items()],
        }
        if detail.get("shippingMethod"):
            package["shippingService"] = str(detail["shippingMethod"])
        order.setdefault("packages", []).append(package)
        for item_id, quantity in wanted.items():
            item = items[item_id]
            fulfilled = int((item.get("fulfillment") or {}).get("quantityFulfilled", 0)) + quantity
            item.setdefault("fulfillment", {}).update({
                "quantityFulfilled": fulfilled,
                "quantityUnfulfilled": int(item["quantityOrdered"]) - fulfilled})
        all_shipped = all(int((i.get("fulfillment") or {}).get("quantityUnfulfilled", 1)) <= 0
                          for i in items.values())
        fulfillment["fulfillmentStatus"] = "SHIPPED" if all_shipped else "PARTIALLY_SHIPPED"
        order["fulfillment"] = fulfillment
        order["lastUpdatedTime"] = now
        order.setdefault("_confirmations", []).append(copy.deepcopy(body))
    return 204, None


def iso_or_now(value, fallback: str) -> str:
    parsed = parse_date_time(value) if isinstance(value, str) else None
    return iso(parsed) if parsed else fallback
