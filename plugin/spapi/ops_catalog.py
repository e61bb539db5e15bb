"""Catalog Items 2022-04-01: Amazon's products, found by EAN."""
from __future__ import annotations

from typing import Any, Iterable

from .constants import LOCALE_TR
from .formats import comma_list
from .operations import Operations

#: Amazon's searchCatalogItems accepts at most this many identifiers per call.
CATALOG_MAX_IDENTIFIERS = 20
#: searchCatalogItems' largest page; with up to 20 identifiers a page of 20
#: usually answers a batch in one call.
CATALOG_MAX_PAGE_SIZE = 20


class Catalog(Operations):
    def search_by_ean(self, eans: list[str], *, included_data: Iterable[str] = ("summaries", "identifiers")) -> dict:
        """Catalog items matching the EANs, merged over batches of 20 and pages.

        Returns ``{"numberOfResults": n, "items": [...]}`` like one Amazon page.
        """
        eans = [str(e).strip() for e in eans if str(e).strip()]
        items: list[dict] = []
        seen: set[str] = set()
        for start in range(0, len(eans), CATALOG_MAX_IDENTIFIERS):
            params: dict[str, Any] = {
                "identifiers": eans[start:start + CATALOG_MAX_IDENTIFIERS],
                "identifiersType": "EAN",
                "marketplaceIds": [self._caller.marketplace_id],
                "includedData": comma_list(included_data),
                "pageSize": CATALOG_MAX_PAGE_SIZE,
                "locale": LOCALE_TR,
            }
            while True:
                page = self._request("GET", "/catalog/2022-04-01/items", operation="searchCatalogItems", params=params)
                for item in page.get("items") or []:
                    asin = item.get("asin")
                    if asin in seen:
                        continue
                    if asin:
                        seen.add(asin)
                    items.append(item)
                token = (page.get("pagination") or {}).get("nextToken")
                if not token:
                    break
                params = dict(params, pageToken=token)
        return {"numberOfResults": len(items), "items": items}
