"""Listings Items 2021-08-01: one seller's offer per SKU."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Iterator

from .formats import comma_list, format_datetime, quote_segment
from .operations import Operations

#: searchListingsItems' largest page (the model's ``pageSize`` maximum).
SEARCH_MAX_PAGE_SIZE = 20
#: What the plugin reads of a seller's inventory: status and ASIN, price, quantity and channel, issues.
INVENTORY_DATA = ("summaries", "offers", "fulfillmentAvailability", "issues")


class Listings(Operations):
    def _path(self, sku: str) -> str:
        if not sku:
            raise ValueError("sku is empty")
        seller_id = self._caller.seller_id
        if not seller_id:
            raise ValueError("seller_id is required for Listings Items calls (the merchant token, Satıcı Kodu)")
        return f"/listings/2021-08-01/items/{quote_segment(seller_id)}/{quote_segment(sku)}"

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"marketplaceIds": [self._caller.marketplace_id], "issueLocale": self._caller.issue_locale, **extra}

    def search(self, *, included_data: Iterable[str] = INVENTORY_DATA, last_updated_after: datetime | str | None = None,
               page_size: int = SEARCH_MAX_PAGE_SIZE) -> Iterator[dict]:
        """Pages of searchListingsItems (the seller's listings, oldest change first), following ``pageToken``.

        Sorted by lastUpdatedDate ascending, so a pass cut short can go on from the last
        date it saw; every page is asked with the same filters, as the token requires.
        """
        if not 1 <= int(page_size) <= SEARCH_MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {SEARCH_MAX_PAGE_SIZE}")
        seller_id = self._caller.seller_id
        if not seller_id:
            raise ValueError("seller_id is required for Listings Items calls (the merchant token, Satıcı Kodu)")
        after = format_datetime(last_updated_after) if isinstance(last_updated_after, (datetime, date)) \
            else last_updated_after
        params = self._params(includedData=comma_list(included_data), pageSize=int(page_size),
                              sortBy="lastUpdatedDate", sortOrder="ASC", lastUpdatedAfter=after)
        token = None
        while True:
            page_params = dict(params, pageToken=token) if token else params
            page = self._request("GET", f"/listings/2021-08-01/items/{quote_segment(seller_id)}",
                                 operation="searchListingsItems", params=page_params)
            yield page
            token = (page.get("pagination") or {}).get("nextToken")
            if not token:
                return

    def get(self, sku: str, *, included_data: Iterable[str] | None = None) -> dict:
        return self._request("GET", self._path(sku), operation="getListingsItem",
                             params=self._params(includedData=comma_list(included_data)))

    def put(self, sku: str, *, product_type: str, attributes: dict, requirements: str | None = None,
            mode: str | None = None) -> dict:
        """The whole listing: Amazon replaces every attribute it had with these."""
        body: dict[str, Any] = {"productType": product_type, "attributes": attributes}
        if requirements:
            body["requirements"] = requirements
        return self._request("PUT", self._path(sku), operation="putListingsItem", params=self._params(mode=mode),
                             body=body)

    def patch(self, sku: str, *, product_type: str, patches: list[dict], mode: str | None = None) -> dict:
        if not patches:
            raise ValueError("patches is empty")
        return self._request("PATCH", self._path(sku), operation="patchListingsItem", params=self._params(mode=mode),
                             body={"productType": product_type, "patches": list(patches)})
