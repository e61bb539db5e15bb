"""Sipariş Aktarımı: Amazon orders into the shop, exactly once, within Amazon's limits.

settings    the store's order number prefix and unknown SKU policy (and its cursor row)
mapping     an Orders API order as the shop's order (pure functions: lines and money)
importer    import runs: button, scheduler, CLI, one order by number
apply_page  one page of orders into the shop, one transaction
details     ship-by window, buyer cancellation requests, invoice (TAX) data, withheld addresses
shape       the checks every part of the mapping shares
privacy     buyers' personal data: read for the shop, purged 30 days after the order closed
queries     what the pages show

The names below are what views, jobs, the CLI and the host use.
"""
from .apply_page import apply_orders
from .importer import OVERLAP, import_one, import_orders, start_import, why_not
from .mapping import INCLUDED_DATA
from .privacy import personal_data, purge_personal_data
from .queries import (KIND, current_run, order_details, orders_per_day, recent_orders, ship_by_mark, skipped_orders,
                      withheld_addresses)
from ...errors import InvalidSettings
from .settings import default_prefix, prefix_error, save_settings, settings_for, unknown_sku_error

__all__ = [
    "INCLUDED_DATA", "KIND", "OVERLAP", "InvalidSettings", "apply_orders", "current_run", "default_prefix",
    "import_one", "import_orders", "order_details", "orders_per_day", "personal_data", "prefix_error",
    "purge_personal_data", "recent_orders", "save_settings", "settings_for", "ship_by_mark", "skipped_orders",
    "start_import", "unknown_sku_error", "why_not", "withheld_addresses",
]
