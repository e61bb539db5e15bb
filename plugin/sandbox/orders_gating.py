"""What the local Amazon shows of an order: the includedData sections asked for, gated by role, status and time.

Sources, each rule beside its code:

* "Access Orders PII" (developer-docs.amazon.com/sp-api/docs/access-orders-pii): in Orders
  2026-01-01 the PII is buyer.buyerEmail, buyer.buyerName and the delivery address's name,
  addressLine1-3, postalCode, phone and extendedFields; no Restricted Data Token, the
  application's roles decide. Buyer email: Direct-to-Consumer Shipping, merchant-fulfilled,
  UNSHIPPED/PARTIALLY_SHIPPED/SHIPPED. Buyer name: Tax Invoicing or Tax Remittance (either
  channel) or Direct-to-Consumer Shipping (merchant-fulfilled), same statuses.
* "Get order information" / "Get orders with filtering criteria": the Direct-to-Consumer
  Shipping role is required for the shipping address; without any of the roles the page lists
  the operation itself answers 403 (dispatch.OPERATION_ROLES, role "orders").
* Integrator report amzn/selling-partner-api-models#5300 ("The buyer's address is not returned,
  orders/2026-01-01/orders"): without the role the call succeeds and the full address is
  missing; Amazon's answer: apply for the Direct to Consumer Shipping role. So the fields are
  left out, the non-personal ones (city, district, region, country, type) stay.
* Seller Central "Cancellations FAQ": pending orders do not include the buyer's shipping
  address or contact information.
* orders-2026-01-01.json, CustomerAddress.phone: the phone is suppressed for all FBA orders and
  for shipped FBM orders once the current date is past the latest delivery date.
* "Get tax information" (developer-docs.amazon.com/sp-api/docs/get-tax-information): TAX gives
  tax.taxRegistrations[] only to Tax Remittance or Tax Invoicing; tax.taxInvoicing (the
  buyer's invoice preference, Türkiye only) to any application with order access.
"""
from __future__ import annotations

import copy
from datetime import datetime

from .models import parse_date_time

# includedData value -> order-level keys and order-item-level keys it unlocks
SECTIONS = {
    "BUYER": (["buyer"], []),
    "RECIPIENT": (["recipient"], []),
    "PROCEEDS": (["proceeds"], ["proceeds"]),
    "EXPENSE": ([], ["expense"]),
    "PROMOTION": ([], ["promotion"]),
    "CANCELLATION": ([], ["cancellation"]),
    "FULFILLMENT": (["fulfillment"], ["fulfillment"]),
    "PACKAGES": (["packages"], []),
    "TAX": (["tax"], ["tax"]),
    "PAYMENT": (["payment"], []),
    "FULFILLMENT_ORDERS": (["fulfillmentOrders"], []),
}
_GATED_ORDER = {k for keys, _ in SECTIONS.values() for k in keys}
_GATED_ITEM = {k for _, keys in SECTIONS.values() for k in keys}

#: Amazon's restricted roles, as the sandbox's sellers name them (seed.RESTRICTED_ROLES).
DIRECT_TO_CONSUMER = "directToConsumerShipping"
TAX_INVOICING = "taxInvoicing"
TAX_REMITTANCE = "taxRemittance"
TAX_ROLES = frozenset({TAX_INVOICING, TAX_REMITTANCE})

#: "Other conditions" of Access Orders PII: buyer and address PII only in these statuses.
PII_STATUSES = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"})
#: The Cancellations FAQ: no shipping address at all while the order is pending.
PENDING_STATUSES = frozenset({"PENDING", "PENDING_AVAILABILITY"})
#: The delivery address's personal fields (Access Orders PII).
ADDRESS_PII = ("name", "addressLine1", "addressLine2", "addressLine3", "postalCode", "phone", "extendedFields")


def project(order: dict, included: list[str] | None, *, roles=frozenset(), now: datetime | None = None) -> dict:
    """The order as Amazon shows it to an application with ``roles`` for the includedData asked for."""
    included = included or []
    order_keys = {k for name in included for k in SECTIONS[name][0]}
    item_keys = {k for name in included for k in SECTIONS[name][1]}
    out = {k: copy.deepcopy(v) for k, v in order.items()
           if not k.startswith("_") and (k not in _GATED_ORDER or k in order_keys)}
    out["orderItems"] = [
        {k: copy.deepcopy(v) for k, v in item.items() if k not in _GATED_ITEM or k in item_keys}
        for item in order.get("orderItems", [])
    ]
    fulfillment = order.get("fulfillment") or {}
    status = fulfillment.get("fulfillmentStatus")
    merchant = fulfillment.get("fulfilledBy") != "AMAZON"
    roles = frozenset(roles)
    if "buyer" in out:
        _gate_buyer(out, status, merchant, roles)
    if "recipient" in out:
        _gate_recipient(out, status, merchant, roles, fulfillment, now)
    if "tax" in out and not roles & TAX_ROLES:
        out["tax"].pop("taxRegistrations", None)
    # A section asked for stays, even when the gates left it empty (the model allows {}).
    return out


def _gate_buyer(out: dict, status: str | None, merchant: bool, roles: frozenset) -> None:
    buyer = out["buyer"]
    if status not in PII_STATUSES or not (roles & TAX_ROLES or (merchant and DIRECT_TO_CONSUMER in roles)):
        buyer.pop("buyerName", None)
    if status not in PII_STATUSES or not merchant or DIRECT_TO_CONSUMER not in roles:
        buyer.pop("buyerEmail", None)


def _gate_recipient(out: dict, status: str | None, merchant: bool, roles: frozenset, fulfillment: dict,
                    now: datetime | None) -> None:
    recipient = out["recipient"]
    address = recipient.get("deliveryAddress")
    if address is not None:
        if status in PENDING_STATUSES:
            del recipient["deliveryAddress"]
        elif not merchant or status not in PII_STATUSES or DIRECT_TO_CONSUMER not in roles:
            # Amazon ships FBA orders itself; the Direct-to-Consumer Shipping role covers the
            # seller's own (merchant-fulfilled) shipments only.
            for key in ADDRESS_PII:
                address.pop(key, None)
        elif status == "SHIPPED" and now is not None and _past(fulfillment.get("deliverByWindow"), now):
            address.pop("phone", None)
        if recipient.get("deliveryAddress") == {}:
            del recipient["deliveryAddress"]


def _past(window, now: datetime) -> bool:
    latest = parse_date_time((window or {}).get("latestDateTime") or "")
    return latest is not None and now > latest
