"""Kargo bildirimi: tell Amazon that a seller-fulfilled order (or part of it) shipped.

The shop calls :func:`record_shipment` when it hands a parcel to the carrier;
the admin's "Kargo bildir" form calls :func:`record_manual`. Both write a
package row and then :func:`send_due` confirms it with Orders v0
confirmShipment, exactly once.

carriers   the carrier list, the store's codes for it, what the shop's carrier names resolve to
snapshot   what Amazon says of the order (getOrder): items, status, packages
recording  the shop's signal and the admin's form become a package row
sending    getOrder then confirmShipment, retries with backoff, the sync run
queries    orders, packages, units still to ship, why an order is refused
errors     ShipmentRefused

The names below are what views, jobs and the host use.
"""
from ...errors import InvalidSettings
from .carriers import AMAZON_CARRIERS, CARRIERS, OTHER, OTHER_CODE, carrier_map, save_carrier_map
from .errors import ShipmentRefused
from .queries import (
    VIEWS, order_of, orders_with_packages, package_of, packages_of, refusal_reason, remaining, view_counts,
)
from .recording import cancellation_requested, record_manual, record_shipment, retry_package
from .sending import BACKOFF, KIND, MAX_ATTEMPTS, send_due
from .snapshot import read_amazon_lines, snapshot_of

__all__ = [
    "AMAZON_CARRIERS", "BACKOFF", "CARRIERS", "KIND", "MAX_ATTEMPTS", "OTHER", "OTHER_CODE", "VIEWS",
    "InvalidSettings", "ShipmentRefused", "cancellation_requested", "carrier_map", "order_of",
    "orders_with_packages", "package_of", "packages_of", "read_amazon_lines", "record_manual", "record_shipment",
    "refusal_reason", "remaining", "retry_package", "save_carrier_map", "send_due", "snapshot_of", "view_counts",
]
