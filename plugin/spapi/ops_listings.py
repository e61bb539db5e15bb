"""Listings Items 2021-08-01: one seller's offer per SKU."""
from __future__ import annotations

from typing import Any, Iterable

from .formats import comma_list, quote_segment
from .operations import Operations


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
