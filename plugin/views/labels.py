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
    return _label(ORDER_STATUSES, code)


# --- orders: run states, who fulfils, the shop's own order states (issue 17 §1) ---------------------

#: SyncRun.status of an import (services/runs.py); "skipped" runs are never saved, but a page may show one.
RUN_STATUSES = {
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "skipped": _l("Not started"),
}

#: ImportedOrder.fulfillment_channel: who ships the order (Orders 2026-01-01 fulfilledBy MERCHANT / AMAZON).
FULFILLMENT_CHANNELS = {
    "merchant": _l("Seller ships"),
    "amazon": _l("Amazon ships (FBA)"),
}

#: The shop's own order states (ImportedOrder.state, the demo shop's Order.status).
SHOP_ORDER_STATES = {
    "pending": _l("Pending (stock reserved)"),
    "ready": _l("Ready to ship"),
    "partially_shipped": _l("Partially shipped"),
    "shipped": _l("Shipped"),
    "cancelled": _l("Cancelled"),
    "skipped": _l("Not imported"),
    "new": _l("New"),
}

#: SyncRun.trigger: what started a run.
RUN_TRIGGERS = {
    "manual": _l("Button"),
    "scheduler": _l("Scheduler"),
    "cli": _l("Command line"),
    "stock": _l("Stock change"),
}


def _label(table: dict, code: str | None) -> Markup | str:
    if not code:
        return "—"
    label = table.get(code)
    return escape(str(label)) if label is not None else _unknown(code)


def run_status(code: str | None) -> Markup | str:
    """An import run's state in Turkish (Sürüyor, Bitti, Başarısız)."""
    return _label(RUN_STATUSES, code)


def fulfillment_channel(code: str | None) -> Markup | str:
    """Who ships the order: "Satıcı gönderiyor" or "Amazon gönderiyor (FBA)"."""
    return _label(FULFILLMENT_CHANNELS, code)


def shop_order_state(code: str | None) -> Markup | str:
    """The shop's own order state (ready, partially_shipped…) in Turkish."""
    return _label(SHOP_ORDER_STATES, code)


def run_trigger(code: str | None) -> Markup | str:
    """What started a run (Buton, Zamanlayıcı, Komut satırı)."""
    return _label(RUN_TRIGGERS, code)


# --- products: Amazon's listing statuses and feed states (issue 17 §1) ----------------------------

#: ItemSummaryByMarketplace.status (listings-items-2021-08-01.json: BUYABLE, DISCOVERABLE).
LISTING_STATUSES = {
    "BUYABLE": _l("buyable"),
    "DISCOVERABLE": _l("visible to shoppers"),
}

#: Feed.processingStatus (feeds-2021-06-30.json), plus the plugin's own LOST, EXPIRED and SUBMITTING.
FEED_STATUSES = {
    "IN_QUEUE": _l("waiting at Amazon"),
    "IN_PROGRESS": _l("being processed by Amazon"),
    "DONE": _l("processed by Amazon"),
    "FATAL": _l("refused by Amazon as a whole"),
    "CANCELLED": _l("cancelled"),
    "EXPIRED": _l("not processed in time"),
    "LOST": _l("never confirmed by Amazon"),
    "SUBMITTING": _l("being sent"),
}


def listing_status(code: str | None) -> Markup | str:
    """Amazon's status of a listing (Satın alınabilir, Müşterilere görünür) in Turkish."""
    return _label(LISTING_STATUSES, code)


def feed_status(code: str | None) -> Markup | str:
    """A bulk upload's (feed's) state in Turkish (Amazon'da sırada, işlendi, tümü reddedildi…)."""
    return _label(FEED_STATUSES, code)
