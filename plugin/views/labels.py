"""Amazon's codes as a Turkish shop admin reads them.

Amazon's states (order fulfillment statuses, listing and feed states) are shown
by these words, never as the raw code; an unknown code is shown as "unknown"
with the code in small print, so a new Amazon state never breaks a page.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l

#: Orders 2026-01-01 fulfillment.fulfillmentStatus (orders-2026-01-01.json).
ORDER_STATUSES = {
    "PENDING_AVAILABILITY": _l("Pre-order, payment not approved"),
    "PENDING": _l("Pending payment approval"),
    "UNSHIPPED": _l("Not shipped"),
    "PARTIALLY_SHIPPED": _l("Partially shipped"),
    "SHIPPED": _l("Shipped"),
    "CANCELLED": _l("Cancelled"),
    "UNFULFILLABLE": _l("Cannot be fulfilled"),
}


def _unknown(code: str) -> Markup:
    return Markup('{} <small class="amazon-tr-code">{}</small>').format(_("unknown state"), code)


def order_status(code: str | None) -> Markup | str:
    """An order's Amazon status in Turkish; "—" when Amazon has not said."""
    if not code:
        return "—"
    label = ORDER_STATUSES.get(code)
    return escape(str(label)) if label is not None else _unknown(code)
