"""What a Turkish shop needs of an order beyond its lines and money.

* the ship-by window (``fulfillment.shipByWindow``): when the order must be with the carrier;
* a buyer's cancellation request (``orderItems[].cancellation.cancellationRequest``, includedData
  CANCELLATION): the shop must not ship before the seller decides;
* e-Fatura / e-Arşiv data (includedData TAX, Türkiye only): the buyer's invoice preference
  (``tax.taxInvoicing.buyerInvoicePreference``) and the buyer's tax registration
  (``tax.taxRegistrations[]`` with entityType BUYER: VKN/TCKN, legalName, taxRegistrationAddress and
  the TAX_OFFICE attribute, the vergi dairesi); see the TR example of getOrder in
  orders-2026-01-01.json;
* a delivery address Amazon withheld: a merchant-fulfilled order that is ready to ship but has no
  street address means the application lacks the Direct-to-Consumer Shipping role (Amazon's
  "Access Orders PII" page), not that the buyer has no address.

Pure functions, no Flask or database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ...i18n import lazy_gettext as _l
from .shape import as_list, as_object, as_text, time_field

#: Statuses in which Amazon promises the delivery address to an application with the role.
READY = ("UNSHIPPED", "PARTIALLY_SHIPPED")
INVOICE_PREFERENCES = {"INDIVIDUAL": "individual", "BUSINESS": "business"}
#: The buyer's reason is a note for the seller: kept short.
MAX_REASON = 500
#: A Turkish tax number (VKN: 10 digits, TCKN: 11), maybe with the country prefix Amazon's TR
#: example shows ("TR1234567890"); e-Fatura wants the bare digits.
TURKISH_TAX_NUMBER = re.compile(r"^(?:TR)?\s*(\d{10,11})$")


@dataclass
class OrderDetails:
    ship_by_earliest: datetime | None = None
    ship_by_latest: datetime | None = None
    cancellation_requested: bool = False
    cancellation_reason: str | None = None
    address_withheld: bool = False
    invoice_preference: str | None = None  # individual, business
    #: The buyer's tax registration: number, type, office, legal_name, address (personal data).
    tax: dict | None = None

    def for_shop(self, *, purged: bool) -> dict:
        """The ShopOrder fields (the tax registration only while the buyer's data is kept)."""
        tax = None if purged else self.tax
        return {
            "ship_by_latest": self.ship_by_latest,
            "cancellation_requested": self.cancellation_requested,
            "cancellation_reason": self.cancellation_reason,
            "address_withheld": self.address_withheld,
            "invoice_type": self.invoice_preference,
            "tax_number": (tax or {}).get("number"),
            "tax_office": (tax or {}).get("office"),
            "tax_legal_name": (tax or {}).get("legal_name"),
            "tax_address": (tax or {}).get("address"),
        }


def read_details(order: dict, *, status: str, channel: str, address: dict | None) -> OrderDetails:
    """The details of an order map_order already checked; raises OrderShapeError for values out of shape."""
    fulfillment = as_object(order.get("fulfillment"), "fulfillment")
    window = as_object(fulfillment.get("shipByWindow"), "shipByWindow")
    requested, reason = _cancellation(order, status)
    preference, tax = _tax(as_object(order.get("tax"), "tax"))
    return OrderDetails(
        ship_by_earliest=time_field(window, "earliestDateTime", False, label="shipByWindow.earliestDateTime"),
        ship_by_latest=time_field(window, "latestDateTime", False, label="shipByWindow.latestDateTime"),
        cancellation_requested=requested,
        cancellation_reason=reason,
        # Flagged, not set aside: see apply_page for why the order still goes to the shop.
        address_withheld=channel == "merchant" and status in READY and not (address or {}).get("addressLine1"),
        invoice_preference=preference,
        tax=tax,
    )


def _cancellation(order: dict, status: str) -> tuple[bool, str | None]:
    """(asked, reason): an item's cancellation request that Amazon has not carried out.

    An item with a cancellationExecution was cancelled already, and a cancelled order
    has nothing left to decide. The reason is the buyer's note: a value that is not
    text is dropped rather than setting the whole order aside.
    """
    if status == "CANCELLED":
        return False, None
    asked, reason = False, None
    for item in as_list(order.get("orderItems"), "orderItems"):
        cancellation = as_object(as_object(item, "orderItems[]").get("cancellation"), "cancellation")
        request = as_object(cancellation.get("cancellationRequest"), "cancellationRequest")
        if not request or cancellation.get("cancellationExecution"):
            continue
        asked = True
        text = request.get("cancelReason")
        if reason is None and isinstance(text, str) and text.strip():
            reason = text.strip()[:MAX_REASON]
    return asked, reason


def _tax(tax: dict) -> tuple[str | None, dict | None]:
    invoicing = as_object(tax.get("taxInvoicing"), "taxInvoicing")
    preference = invoicing.get("buyerInvoicePreference")
    preference = INVOICE_PREFERENCES.get(preference) if isinstance(preference, str) else None
    reason = _l("The buyer's invoice details from Amazon are not text.")
    for entry in as_list(tax.get("taxRegistrations"), "taxRegistrations"):
        entry = as_object(entry, "taxRegistrations[]")
        if entry.get("entityType") != "BUYER":
            continue  # the seller's or the marketplace's own registration
        number = as_text(entry.get("taxRegistrationNumber"), "taxRegistrationNumber", reason)
        if number:
            found = TURKISH_TAX_NUMBER.match(number.strip())
            number = found.group(1) if found else number.strip()
        office = None
        for attribute in as_list(entry.get("taxRegistrationAttributes"), "taxRegistrationAttributes"):
            attribute = as_object(attribute, "taxRegistrationAttributes[]")
            if attribute.get("key") == "TAX_OFFICE":
                office = as_text(attribute.get("value"), "TAX_OFFICE", reason)
        address = {k: as_text(v, f"taxRegistrationAddress.{k}", reason)
                   for k, v in as_object(entry.get("taxRegistrationAddress"), "taxRegistrationAddress").items()}
        found = {
            "number": number or None,
            "type": as_text(entry.get("taxRegistrationType"), "taxRegistrationType", reason),
            "office": office or None,
            "legal_name": as_text(entry.get("legalName"), "legalName", reason) or None,
            "address": {k: v for k, v in address.items() if v} or None,
        }
        if any(found[k] for k in ("number", "office", "legal_name", "address")):
            return preference, found
    return preference, None
