"""Ürün Güncelleme: the shop's products, prices and stock on Amazon, by the auto-update type.

Every entry point (the buttons, the scheduler, the CLI, the stock-change signal)
calls :func:`push_products` (push.py). One push:

1. answers feeds still in flight (feed_poll.py; their processing reports go to the links);
2. links new SKUs (linking.py): by EAN through searchCatalogItems (an offer on the
   existing ASIN, ``LISTING_OFFER_ONLY``) or, for a product Amazon does not have, a
   whole ``LISTING`` whose required attributes come from getDefinitionsProductType (schema.py);
3. compares each part (content, price, stock) the type allows with the digest of
   the last value Amazon accepted (changes.py, values.py), so an unchanged catalog costs no call;
4. sends what changed (sending.py): up to ``AMAZON_TR_PATCH_THRESHOLD`` SKUs one
   patchListingsItem (or putListingsItem for a new link) each, more in
   JSON_LISTINGS_FEED documents of up to 25,000 messages and 10 MiB, one feed at a time:
   none while the store's previous one still waits at Amazon (feed_submit.py).

Amazon's answer for each SKU moves its link through the states in outcome.py. ACCEPTED is
"accepted for processing": Amazon's own status (BUYABLE, DISCOVERABLE) and its asynchronous
issues are read back afterwards (status.py). The Önizleme adds Amazon's verdict on a sample
of the same requests, sent with mode=VALIDATION_PREVIEW (verdicts.py).

Why the threshold is 100 (bench/products.py measures it): a patch costs one call
and Amazon applies it within seconds, at 5 calls/s per seller; a feed costs about
7 calls whatever its size but Amazon takes minutes to process it, and createFeed
refills once per 2 minutes. 100 patches take 20 s of the listings bucket that
stock changes also need; beyond that one feed is cheaper and does not starve them.
"""
from __future__ import annotations

from ..runs import LeaseBusy
from . import inventory, issues, product_types, schema, status, stock, values
from .actions import confirm_price, link_sku, refresh_status, set_price_lock, unlink_sku
from .issues import issue_text
from .page import get_link, list_links, shop_categories, state_counts
from .preview import PreviewRow, preview
from .push import poll_feeds, push_from_button, push_products, start_push
from .pusher import Pusher
from .settings import BLOCKED_REASONS, blocked_reason, settings_errors, get_settings, save_settings

__all__ = [
    "BLOCKED_REASONS", "LeaseBusy", "confirm_price", "inventory", "settings_errors", "PreviewRow", "Pusher", "blocked_reason", "get_link",
    "get_settings", "issue_text", "shop_categories", "link_sku", "list_links", "poll_feeds", "preview", "push_from_button",
    "push_products", "refresh_status", "save_settings", "schema", "set_price_lock", "start_push", "state_counts",
    "status", "stock", "issues", "product_types",
    "unlink_sku", "values",
]
