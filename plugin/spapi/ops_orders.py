"""Orders 2026-01-01 (search and read) and Orders v0 (confirmShipment, its one operation not deprecated)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Iterator

from .formats import comma_list, format_datetime, quote_segment
from .operations import Operations

#: searchOrders' largest page.
ORDERS_MAX_PAGE_SIZE = 100


class Orders(Operations):
    def search(
        self,
        *,
        last_updated_after: datetime | str | None = None,
        last_updated_before: datetime | str | None = None,
        created_after: datetime | str | None = None,
        created_before: datetime | str | None = None,
        fulfillment_statuses: Iterable[str] | None = None,
        included_data: Iterable[str] | None = None,
        max_results: int = ORDERS_MAX_PAGE_SIZE,
    ) -> Iterator[dict]:
        """Pages of searchOrders, following ``pagination.nextToken``.

        Each yielded page is Amazon's response (``orders``, maybe ``pagination``).
        Every page is requested with the same filters, as the token requires.
        """
        if (created_after is None) == (last_updated_after is None):
            raise ValueError("give exactly one of created_after and last_updated_after")
        if created_after is not None and last_updated_before is not None:
            raise ValueError("last_updated_before cannot be combined with created_after")
        if last_updated_after is not None and created_before is not None:
            raise ValueError("created_before cannot be combined with last_updated_after")
        if not 1 <= int(max_results) <= ORDERS_MAX_PAGE_SIZE:
            raise ValueError(f"max_results must be between 1 and {ORDERS_MAX_PAGE_SIZE}")
        params: dict[str, Any] = {
            "marketplaceIds": [self._caller.marketplace_id],
            "createdAfter": created_after,
            "createdBefore": created_before,
            "lastUpdatedAfter": last_updated_after,
            "lastUpdatedBefore": last_updated_before,
            "fulfillmentStatuses": comma_list(fulfillment_statuses),
            "includedData": comma_list(included_data),
            "maxResultsPerPage": int(max_results),
        }
        # Formatting once keeps every page's filters byte-identical.
        params = {k: (format_datetime(v) if isinstance(v, (datetime, date)) else v) for k, v in params.items()}
        token = None
        while True:
            page_params = dict(params)
            if token:
                page_params["paginationToken"] = token
            page = self._request("GET", "/orders/2026-01-01/orders", operation="searchOrders", params=page_params)
            yield page
            token = (page.get("pagination") or {}).get("nextToken")
            if not token:
                return

    def get(self, order_id: str, *, included_data: Iterable[str] | None = None) -> dict:
        """Amazon's getOrder response unchanged: the order is under ``"order"``."""
        return self._request(
            "GET",
            f"/orders/2026-01-01/orders/{quote_segment(order_id)}",
            operation="getOrder",
            params={"includedData": comma_list(included_data)},
        )

    def confirm_shipment(
        self,
        order_id: str,
        *,
        package_detail: dict,
        marketplace_id: str | None = None,
        cod_collection_method: str | None = None,
    ) -> None:
        """Orders v0 confirmShipment: tell Amazon one package of a seller-fulfilled order shipped.

        ``package_detail`` is Amazon's PackageDetail (packageReferenceId,
        carrierCode, carrierName when the code is "Other", trackingNumber,
        shipDate, orderItems). Amazon answers 204 with no body; refusals raise
        :class:`InvalidInputError` carrying Amazon's message.
        """
        if not order_id:
            raise ValueError("order_id is empty")
        required = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems")
        missing = [key for key in required if not package_detail.get(key)]
        if missing:
            raise ValueError(f"package_detail lacks {', '.join(missing)}")
        if package_detail["carrierCode"] == "Other" and not package_detail.get("carrierName"):
            raise ValueError('carrierName is required when carrierCode is "Other"')
        detail = dict(package_detail)
        # Amazon wants seconds and an offset; a datetime is formatted here once.
        if not isinstance(detail["shipDate"], str):
            detail["shipDate"] = format_datetime(detail["shipDate"])
        body: dict[str, Any] = {"marketplaceId": marketplace_id or self._caller.marketplace_id,
                                "packageDetail": detail}
        if cod_collection_method:
            body["codCollectionMethod"] = cod_collection_method
        self._request(
            "POST",
            f"/orders/v0/orders/{quote_segment(order_id)}/shipmentConfirmation",
            operation="confirmShipment",
            body=body,
        )
