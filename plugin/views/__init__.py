"""The plugin's admin pages: one blueprint (``blueprint.py``) and the page modules that add routes to it."""
from .blueprint import admin_blueprint, is_htmx, store_or_404
from . import connection, inventory, orders, products, scheduler, shipments, stores  # noqa: F401,E402  (they register routes)

__all__ = ["admin_blueprint", "is_htmx", "store_or_404"]
