"""Product Type Definitions 2020-09-01: what a listing of a product type must hold."""
from __future__ import annotations

from .constants import LOCALE_TR
from .errors import MalformedResponseError
from .formats import quote_segment
from .operations import Operations


class Definitions(Operations):
    def search_product_types(self, *, keywords: list[str] | None = None, item_name: str | None = None,
                             locale: str = LOCALE_TR) -> dict:
        """searchDefinitionsProductTypes: Amazon's product types for the marketplace, with display names in
        ``locale`` (product-type-definitions-2020-09-01.json; ``keywords`` and ``itemName`` exclude each other)."""
        params: dict = {"marketplaceIds": [self._caller.marketplace_id], "locale": locale}
        if keywords:
            params["keywords"] = list(keywords)
        elif item_name:
            params["itemName"] = item_name
        return self._request("GET", "/definitions/2020-09-01/productTypes",
                             operation="searchDefinitionsProductTypes", params=params)

    def get_product_type(self, product_type: str, *, requirements: str = "LISTING", locale: str = LOCALE_TR) -> dict:
        return self._request(
            "GET",
            f"/definitions/2020-09-01/productTypes/{quote_segment(product_type)}",
            operation="getDefinitionsProductType",
            params={
                "marketplaceIds": [self._caller.marketplace_id],
                "sellerId": self._caller.seller_id,
                "requirements": requirements,
                "locale": locale,
            },
        )

    def download_schema(self, definition: dict) -> dict:
        """The JSON Schema a getDefinitionsProductType answer links to ({} when it links none)."""
        link = ((definition.get("schema") or {}).get("link") or {}).get("resource")
        if not link:
            return {}
        response = self._caller.transport.document_request("GET", link, operation="downloadProductTypeSchema")
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponseError("product type schema is not JSON",
                                         operation="downloadProductTypeSchema") from exc
