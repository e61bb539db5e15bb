"""What Turkish orders carry beyond lines and money: invoice (TAX) data of business buyers, buyer cancellation requests.

* TAX: the shape of the TR example of getOrder in orders-2026-01-01.json (order 028-1234567-8901234):
  ``tax.taxInvoicing.buyerInvoicePreference`` (INDIVIDUAL or BUSINESS, "only available in the
  Turkey marketplace") and, for a business buyer, a ``taxRegistrations`` entry with entityType
  BUYER, taxRegistrationType BUSINESS, a "TR" + 10 digit number, the legal name, the
  registration address and the TAX_OFFICE attribute (the vergi dairesi).
* Cancellation requests: ``orderItems[].cancellation.cancellationRequest`` with requester BUYER
  and a cancelReason (ItemCancellationRequest in the model). Seller Central's "Cancellations FAQ":
  after the first 30 minutes a buyer can only *request* cancellation (Your Orders > Request
  Cancellation) and the seller decides, up to the moment the order ships; once shipped the
  buyer returns it instead. Amazon handles its own (FBA) orders' cancellations.
  Assumption: the request is a change to the order, so lastUpdatedTime moves (the model:
  "An update is any change made by Amazon or the seller", and the request reaches the seller
  as a change to the order).
"""
from __future__ import annotations

import copy
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .state import SandboxState

_COMPANIES = [
    ("Anadolu Gıda Ticaret Ltd. Şti.", "Kadıköy Vergi Dairesi"),
    ("Boğaziçi Kırtasiye A.Ş.", "Beşiktaş Vergi Dairesi"),
    ("Çankaya Mimarlık Ltd. Şti.", "Çankaya Vergi Dairesi"),
    ("Ege Zeytincilik Tarım Ürünleri San. ve Tic. A.Ş.", "Karşıyaka Vergi Dairesi"),
    ("Işıklar Otelcilik Turizm Ltd. Şti.", "Muratpaşa Vergi Dairesi"),
    ("Gaziantep Bakırcılık El Sanatları Ltd. Şti.", "Şahinbey Vergi Dairesi"),
]

#: Statuses in which a buyer can still ask the seller to cancel (not shipped yet).
CANCELLABLE = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED")


def tax_section(order_id: str, *, business: bool, address: dict | None = None) -> dict:
    """The order's ``tax`` section: the invoice preference, and a business buyer's registration.

    Drawn from its own generator seeded by the order id, so the orders' main random
    sequence (and with it every other seeded order) stays what it was.
    """
    if not business:
        return {"taxInvoicing": {"buyerInvoicePreference": "INDIVIDUAL"}}
    rng = random.Random("tax:" + order_id)
    legal_name, office = rng.choice(_COMPANIES)
    where = {k: v for k, v in (address or {}).items()
             if k in ("addressLine1", "addressLine2", "city", "districtOrCounty", "stateOrRegion", "postalCode",
                      "countryCode")}
    return {
        "taxRegistrations": [{
            "entityType": "BUYER",
            "taxRegistrationType": "BUSINESS",
            "taxRegistrationNumber": f"TR{rng.randint(10**9, 10**10 - 1)}",
            "legalName": legal_name,
            "taxRegistrationAddress": {"companyName": legal_name, **where},
            "taxRegistrationAttributes": [{"key": "TAX_OFFICE", "value": office}],
        }],
        "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"},
    }


def make_business(order: dict) -> dict:
    """Turn a generated order into a business buyer's: company name and tax registration."""
    address = (order.get("recipient") or {}).get("deliveryAddress") or {}
    order["tax"] = tax_section(order["orderId"], business=True, address=address)
    legal_name = order["tax"]["taxRegistrations"][0]["legalName"]
    order.setdefault("buyer", {})["buyerCompanyName"] = legal_name
    return order


def ask_cancellation(order: dict, reason: str | None) -> None:
    """The buyer's request on every item that is not cancelled yet (in place)."""
    for item in order.get("orderItems", []):
        cancellation = item.setdefault("cancellation", {})
        if "cancellationExecution" in cancellation:
            continue
        request = {"requester": "BUYER"}
        if reason:
            request["cancelReason"] = reason
        cancellation["cancellationRequest"] = request


def request_cancellation(state: "SandboxState", order_id: str, reason: str | None = None) -> dict:
    """A buyer asks to cancel ``order_id``; raises LookupError (no such order) or ValueError (not possible now)."""
    from .seed import iso

    with state.lock:
        order = state.orders.get(order_id)
        if order is None:
            raise LookupError(order_id)
        fulfillment = order.get("fulfillment") or {}
        if fulfillment.get("fulfilledBy") == "AMAZON":
            raise ValueError("Amazon cancels its own (FBA) orders; a buyer's request goes to Amazon, not the seller")
        if fulfillment.get("fulfillmentStatus") not in CANCELLABLE:
            raise ValueError(f"a {fulfillment.get('fulfillmentStatus')} order cannot be cancelled any more; "
                             "the buyer returns it instead")
        ask_cancellation(order, reason)
        order["lastUpdatedTime"] = iso(state.now())
        return copy.deepcopy(order)
