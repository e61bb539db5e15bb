"""The SP-API operations the plugin uses, as plain dicts in and out.

The client knows HTTP and Amazon only: no Flask, no database. Its transport
paces every call through a shared :class:`RateLimiter`, retries what Amazon
says is transient, and raises one exception class per kind of failure; one
group of operations per Amazon API (``client.orders``, ``client.feeds`` …)
builds the calls. The services call the client's own methods, each a thin
delegation to its group.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Iterator

import requests

from ..clock import SystemClock
from .constants import LOCALE_TR, MARKETPLACE_ID_TR
from .ops_catalog import Catalog
from .ops_definitions import Definitions
from .ops_feeds import Feeds
from .ops_listings import Listings
from .ops_orders import Orders
from .ops_sellers import Sellers
from .ratelimit import RateLimiter
from .sessions import new_session
from .transport import ClientStats, Transport


class SPAPIClient:
    """One seller's view of the SP-API in one marketplace."""

    def __init__(
        self,
        *,
        endpoint: str,
        lwa: Any,
        refresh_token: str,
        seller_id: str | None = None,
        marketplace_id: str = MARKETPLACE_ID_TR,
        session: requests.Session | None = None,
        proxy: str | None = None,
        clock: Any = None,
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        timeout: tuple[float, float] | float = (5, 30),
        user_agent: str | None = None,
        random: Any = None,
        issue_locale: str | None = LOCALE_TR,
        max_wait: float | None = None,
    ) -> None:
        """``proxy`` applies to the session the client opens; an injected ``session`` is used as it is."""
        clock = clock or SystemClock()
        self.transport = Transport(
            endpoint=endpoint, lwa=lwa, refresh_token=refresh_token, seller_id=seller_id,
            session=session or new_session(proxy), clock=clock,
            rate_limiter=rate_limiter or RateLimiter(clock=clock), max_retries=max_retries,
            backoff_base=backoff_base, backoff_cap=backoff_cap, timeout=timeout, user_agent=user_agent,
            random=random, max_wait=max_wait,
        )
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id
        self.issue_locale = issue_locale
        self.sellers = Sellers(self)
        self.orders = Orders(self)
        self.listings = Listings(self)
        self.feeds = Feeds(self)
        self.catalog = Catalog(self)
        self.definitions = Definitions(self)

    def __repr__(self) -> str:
        return (f"SPAPIClient(endpoint={self.endpoint!r}, seller_id={self.seller_id!r}, "
                f"marketplace_id={self.marketplace_id!r})")

    # The transport's settings and counters, read where services and tests look for them.

    @property
    def endpoint(self) -> str:
        return self.transport.endpoint

    @property
    def lwa(self) -> Any:
        return self.transport.lwa

    @property
    def clock(self) -> Any:
        return self.transport.clock

    @property
    def rate_limiter(self) -> RateLimiter:
        return self.transport.rate_limiter

    @property
    def timeout(self) -> tuple[float, float] | float:
        return self.transport.timeout

    @property
    def stats(self) -> ClientStats:
        return self.transport.stats

    # ------------------------------------------------------------------ sellers

    def get_marketplace_participations(self) -> list[dict]:
        return self.sellers.marketplace_participations()

    # ------------------------------------------------------------------ orders

    def search_orders(
        self,
        *,
        last_updated_after: datetime | str | None = None,
        last_updated_before: datetime | str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        fulfillment_statuses: Iterable[str] | None = None,
        included_data: Iterable[str] | None = None,
        max_results: int = 100,
    ) -> Iterator[dict]:
        return self.orders.search(
            last_updated_after=last_updated_after, last_updated_before=last_updated_before,
            created_after=created_after, created_before=created_before,
            fulfillment_statuses=fulfillment_statuses, included_data=included_data, max_results=max_results,
        )

    def get_order(self, order_id: str, *, included_data: Iterable[str] | None = None) -> dict:
        return self.orders.get(order_id, included_data=included_data)

    def confirm_shipment(self, order_id: str, *, package_detail: dict, marketplace_id: str | None = None,
                         cod_collection_method: str | None = None) -> None:
        self.orders.confirm_shipment(order_id, package_detail=package_detail, marketplace_id=marketplace_id,
                                     cod_collection_method=cod_collection_method)

    # ------------------------------------------------------------------ listings

    def search_listings_items(self, **filters) -> Iterator[dict]:
        """Pages of the seller's listings (searchListingsItems); see ``Listings.search``."""
        return self.listings.search(**filters)

    def get_listings_item(self, sku: str, *, included_data: Iterable[str] | None = None) -> dict:
        return self.listings.get(sku, included_data=included_data)

    def put_listings_item(self, sku: str, *, product_type: str, attributes: dict, requirements: str | None = None,
                          mode: str | None = None) -> dict:
        return self.listings.put(sku, product_type=product_type, attributes=attributes, requirements=requirements,
                                 mode=mode)

    def patch_listings_item(self, sku: str, *, product_type: str, patches: list[dict], mode: str | None = None) -> dict:
        return self.listings.patch(sku, product_type=product_type, patches=patches, mode=mode)

    # ------------------------------------------------------------------ feeds

    def create_feed_document(self, content_type: str) -> dict:
        return self.feeds.create_document(content_type)

    def upload_feed_document(self, url: str, data: bytes, content_type: str) -> None:
        self.feeds.upload_document(url, data, content_type)

    def create_feed(self, feed_type: str, input_feed_document_id: str, *,
                    marketplace_ids: Iterable[str] | None = None) -> dict:
        return self.feeds.create(feed_type, input_feed_document_id, marketplace_ids=marketplace_ids)

    def iter_feeds(self, **filters: Any) -> Iterator[dict]:
        return self.feeds.iterate(**filters)

    def get_feed(self, feed_id: str) -> dict:
        return self.feeds.get(feed_id)

    def cancel_feed(self, feed_id: str) -> dict:
        return self.feeds.cancel(feed_id)

    def get_feed_document(self, feed_document_id: str) -> dict:
        return self.feeds.get_document(feed_document_id)

    def download_feed_document(self, document: dict) -> bytes:
        return self.feeds.download_document(document)

    # ------------------------------------------------------------------ catalog and product types

    def search_catalog_items_by_ean(self, eans: list[str], *,
                                    included_data: Iterable[str] = ("summaries", "identifiers")) -> dict:
        return self.catalog.search_by_ean(eans, included_data=included_data)

    def get_definitions_product_type(self, product_type: str, *, requirements: str = "LISTING",
                                     locale: str = LOCALE_TR) -> dict:
        return self.definitions.get_product_type(product_type, requirements=requirements, locale=locale)

    def download_product_type_schema(self, definition: dict) -> dict:
        return self.definitions.download_schema(definition)

    def search_definitions_product_types(self, *, keywords: list[str] | None = None, item_name: str | None = None,
                                         locale: str = LOCALE_TR) -> dict:
        return self.definitions.search_product_types(keywords=keywords, item_name=item_name, locale=locale)
