"""The SP-API operations the plugin uses, as plain dicts in and out.

The client knows HTTP and Amazon only: no Flask, no database. It paces every
call through a shared :class:`RateLimiter`, retries what Amazon says is
transient, and raises one exception class per kind of failure.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import logging
import platform
import random as _random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import metadata
from typing import Any, Iterable, Iterator
from urllib.parse import quote, urlencode

import requests
from urllib3 import exceptions as urllib3_exceptions

from flask_amazon_tr.clock import SystemClock

from .errors import (
    ForbiddenError,
    InvalidInputError,
    LWAError,
    MalformedResponseError,
    NetworkError,
    SPAPIError,
    ThrottledError,
    UnauthorizedError,
    error_for_status,
)
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

MARKETPLACE_ID_TR = "A33AVAJ2PDY3EV"
SPAPI_ENDPOINT_EU = "https://sellingpartnerapi-eu.amazon.com"
SPAPI_SANDBOX_ENDPOINT_EU = "https://sandbox.sellingpartnerapi-eu.amazon.com"

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
JSON_FEED_CONTENT_TYPE = "application/json; charset=UTF-8"

#: Amazon's searchCatalogItems accepts at most this many identifiers per call.
CATALOG_MAX_IDENTIFIERS = 20
#: searchCatalogItems' largest page; with up to 20 identifiers a page of 20
#: usually answers a batch in one call.
CATALOG_MAX_PAGE_SIZE = 20


#: Operations that create something on each call: a network error after the
#: request may have been sent is not retried (see NetworkError.may_have_reached).
#: createFeedDocument is retried all the same: a duplicate input document is never
#: used and costs nothing; a duplicate feed is applied twice and spends createFeed's
#: scarce quota.
NOT_IDEMPOTENT = frozenset({"createFeed"})

#: getFeeds' largest page.
FEEDS_MAX_PAGE_SIZE = 100


def request_may_have_been_sent(exc: requests.RequestException) -> bool:
    """Whether the server may have received the whole request before ``exc``.

    Only a failure to connect proves it was never sent; a read timeout or a
    connection dropped while waiting for the answer leaves it open.
    """
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.SSLError, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return False
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError wraps the cause
        if isinstance(reason, (urllib3_exceptions.NewConnectionError, urllib3_exceptions.ConnectTimeoutError)):
            return False
    return True


def _package_version() -> str:
    try:
        return metadata.version("flask-amazon-tr")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def default_user_agent() -> str:
    # Amazon asks for "App/version (Language=...)" so its support can trace calls.
    return f"flask-amazon-tr/{_package_version()} (Language=Python/{platform.python_version()})"


def format_datetime(value: datetime | date | str) -> str:
    """ISO 8601 with seconds and an offset, as Amazon's date-time parameters expect."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive datetime could be local time or UTC; guessing would shift
            # an order window by hours without anyone noticing.
            raise ValueError("naive datetime: give a timezone-aware datetime (e.g. tzinfo=timezone.utc)")
        text = value.replace(microsecond=0).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    raise TypeError(f"cannot format {type(value).__name__} as a date-time")


def quote_segment(value: str) -> str:
    """One URL path segment; seller SKUs may hold slashes, spaces and Turkish letters."""
    return quote(str(value), safe="")


def _csv(values: Iterable[str] | str | None) -> str | None:
    if values is None:
        return None
    if isinstance(values, str):
        return values
    values = [str(v) for v in values]
    return ",".join(values) if values else None


@dataclass
class ClientStats:
    """Counters a service can show or a benchmark can print."""

    calls: Counter = field(default_factory=Counter)  # HTTP requests sent, per operation
    retries: int = 0
    throttled: int = 0  # 429 answers seen
    pacing_seconds: float = 0.0  # waited for a token before sending
    backoff_seconds: float = 0.0  # waited between retries
    errors: Counter = field(default_factory=Counter)  # final errors raised, per class

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def as_dict(self) -> dict:
        return {
            "calls": dict(self.calls),
            "total_calls": self.total_calls,
            "retries": self.retries,
            "throttled": self.throttled,
            "pacing_seconds": round(self.pacing_seconds, 3),
            "backoff_seconds": round(self.backoff_seconds, 3),
            "errors": dict(self.errors),
        }


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
        clock: Any = None,
        rate_limiter: RateLimiter | None = None,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        timeout: tuple[float, float] | float = (5, 30),
        user_agent: str | None = None,
        random: Any = None,
        issue_locale: str | None = "tr_TR",
        max_wait: float | None = None,
    ) -> None:
        if not endpoint:
            raise ValueError("endpoint is required")
        # Keep any path prefix (the sandbox may be mounted under one).
        self.endpoint = endpoint.rstrip("/")
        self.lwa = lwa
        self._refresh_token = refresh_token
        self.seller_id = seller_id
        self.marketplace_id = marketplace_id
        self._session = session or requests.Session()
        self.clock = clock or SystemClock()
        self.rate_limiter = rate_limiter or RateLimiter(clock=self.clock)
        self.max_retries = max(0, int(max_retries))
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.timeout = timeout
        self.user_agent = user_agent or default_user_agent()
        self._random = random or _random.Random()
        self.issue_locale = issue_locale
        # Someone waiting at a button cannot wait a minute for a token: past
        # max_wait seconds the call fails with ThrottledError(retry_after=…).
        self.max_wait = max_wait
        self.stats = ClientStats()
        self._stats_lock = threading.Lock()
        # Buckets are per selling partner; before the seller id is known the
        # refresh token identifies the partner, by digest so no key leaks it.
        self._limit_key = seller_id or "rt:" + hashlib.sha256(refresh_token.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"SPAPIClient(endpoint={self.endpoint!r}, seller_id={self.seller_id!r}, marketplace_id={self.marketplace_id!r})"

    # ------------------------------------------------------------------ transport

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: dict[str, Any] | None = None,
        body: Any = None,
    ) -> dict:
        """Send one SP-API call with pacing, auth, retries and typed errors.

        ``path`` is already encoded (see :func:`quote_segment`); ``params``
        values may be lists (sent comma-separated) or datetimes.
        """
        url = self.endpoint + path
        query = self._encode_query(params)
        if query:
            url = f"{url}?{query}"
        data = None
        headers = {"accept": "application/json", "user-agent": self.user_agent}
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["content-type"] = "application/json"

        attempt = 0
        reauthorized = False
        while True:
            if self.max_wait is not None:
                due = self.rate_limiter.wait_time(operation, self._limit_key)
                if due > self.max_wait:
                    raise ThrottledError(f"{operation}: next call allowed in {due:.0f}s", retry_after=due,
                                         operation=operation)
            waited = self.rate_limiter.acquire(operation, self._limit_key, sleep=self.clock.sleep)
            if waited:
                self._bump(pacing_seconds=waited)
            try:
                headers["x-amz-access-token"] = self.lwa.access_token(self._refresh_token)
                response = self._session.request(method, url, data=data, headers=headers, timeout=self.timeout)
            except (LWAError, NetworkError) as exc:
                error: SPAPIError = exc
                if exc.operation == "lwa" and not error.retryable:
                    self._count_error(error)
                    raise
            except requests.RequestException as exc:
                self._bump(operation=operation)
                sent = request_may_have_been_sent(exc)
                error = NetworkError(f"{type(exc).__name__} talking to SP-API", operation=operation,
                                     may_have_reached=sent)
                error.__cause__ = exc
                if sent and operation in NOT_IDEMPOTENT:
                    # Amazon may have acted on it: sending it again could do it twice,
                    # so the caller finds out what happened instead.
                    error.retryable = False
            else:
                self._bump(operation=operation)
                self._observe_rate(operation, response)
                if 200 <= response.status_code < 300:
                    try:
                        return self._decode(response, operation)
                    except MalformedResponseError as exc:
                        error = exc
                else:
                    error = self._error(response, operation)
                    if isinstance(error, ThrottledError):
                        self._bump(throttled=1)
                        self.rate_limiter.drain(operation, self._limit_key)
                    elif isinstance(error, (UnauthorizedError, ForbiddenError)) and not reauthorized:
                        # The cached access token may have been revoked early;
                        # one fresh token settles whether the refusal is real.
                        reauthorized = True
                        self.lwa.forget(self._refresh_token)
                        log.info("%s: HTTP %s, retrying once with a fresh access token", operation, response.status_code)
                        continue

            if not error.retryable or attempt >= self.max_retries:
                self._count_error(error)
                log.warning("%s failed after %s attempt(s): %s", operation, attempt + 1, error)
                raise error
            delay = self._backoff(attempt, error)
            if self.max_wait is not None and isinstance(error, ThrottledError):
                due = max(delay, self.rate_limiter.wait_time(operation, self._limit_key))
                if due > self.max_wait:
                    error.retry_after = due
                    self._count_error(error)
                    raise error
            attempt += 1
            log.info("%s: %s, retry %s/%s in %.2fs", operation, type(error).__name__, attempt, self.max_retries, delay)
            self._bump(retries=1, backoff_seconds=delay)
            self.clock.sleep(delay)

    def _backoff(self, attempt: int, error: SPAPIError) -> float:
        # Full jitter: spreads the retries of many workers hit by one outage.
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** attempt))
        delay = self._random.uniform(0, ceiling)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            delay = max(delay, min(float(retry_after), self.backoff_cap))
        return delay

    @staticmethod
    def _encode_query(params: dict[str, Any] | None) -> str:
        if not params:
            return ""
        pairs = []
        for name, value in params.items():
            if value is None:
                continue
            if isinstance(value, (datetime, date)):
                value = format_datetime(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (list, tuple, set, frozenset)):
                value = _csv(value)
                if value is None:
                    continue
            pairs.append((name, str(value)))
        # Commas stay literal (Amazon's list separator); "+" in an offset and
        # "/" or ":" are percent-encoded.
        return urlencode(pairs, safe=",", quote_via=quote)

    def _decode(self, response: requests.Response, operation: str) -> dict:
        if not response.content or response.status_code == 204:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise MalformedResponseError(
                "Amazon answered with a body that is not JSON",
                status=response.status_code,
                request_id=response.headers.get("x-amzn-RequestId"),
                operation=operation,
            ) from None
        if not isinstance(data, dict):
            raise MalformedResponseError(
                "Amazon answered with JSON that is not an object",
                status=response.status_code,
                request_id=response.headers.get("x-amzn-RequestId"),
                operation=operation,
            )
        return data

    def _error(self, response: requests.Response, operation: str) -> SPAPIError:
        retry_after = None
        header = response.headers.get("Retry-After")
        if header:
            try:
                retry_after = max(0.0, float(header))
            except ValueError:
                retry_after = None
        return error_for_status(
            response.status_code,
            response.content,
            operation=operation,
            request_id=response.headers.get("x-amzn-RequestId"),
            retry_after=retry_after,
        )

    def _observe_rate(self, operation: str, response: requests.Response) -> None:
        header = response.headers.get("x-amzn-RateLimit-Limit")
        if not header:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if self.rate_limiter.update_rate(operation, self._limit_key, rate):
            log.info("%s: Amazon reports a rate of %s requests/s", operation, rate)

    def _bump(self, *, operation: str | None = None, **amounts: float) -> None:
        with self._stats_lock:
            if operation:
                self.stats.calls[operation] += 1
            for name, amount in amounts.items():
                setattr(self.stats, name, getattr(self.stats, name) + amount)

    def _count_error(self, error: SPAPIError) -> None:
        with self._stats_lock:
            self.stats.errors[type(error).__name__] += 1

    def _raw(self, method: str, url: str, *, operation: str, data: bytes | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
        """A call to a presigned document URL: no access token, no SP-API bucket."""
        attempt = 0
        while True:
            try:
                response = self._session.request(method, url, data=data, headers=headers or {}, timeout=self.timeout)
            except requests.RequestException as exc:
                self._bump(operation=operation)
                error: SPAPIError = NetworkError(f"{type(exc).__name__} on a document URL", operation=operation)
                error.__cause__ = exc
            else:
                self._bump(operation=operation)
                if 200 <= response.status_code < 300:
                    return response
                # Document storage answers in XML, not Amazon's error JSON.
                error = error_for_status(response.status_code, None, operation=operation)
                if error.retryable and isinstance(error, ThrottledError):
                    self._bump(throttled=1)
            if not error.retryable or attempt >= self.max_retries:
                self._count_error(error)
                raise error
            delay = self._backoff(attempt, error)
            if self.max_wait is not None and isinstance(error, ThrottledError):
                due = max(delay, self.rate_limiter.wait_time(operation, self._limit_key))
                if due > self.max_wait:
                    error.retry_after = due
                    self._count_error(error)
                    raise error
            attempt += 1
            self._bump(retries=1, backoff_seconds=delay)
            self.clock.sleep(delay)

    def _require_seller(self) -> str:
        if not self.seller_id:
            raise ValueError("seller_id is required for Listings Items calls (the merchant token, Satıcı Kodu)")
        return self.seller_id

    # ------------------------------------------------------------------ sellers

    def get_marketplace_participations(self) -> list[dict]:
        """The marketplaces this seller takes part in; the "API test" call."""
        data = self.request("GET", "/sellers/v1/marketplaceParticipations", operation="getMarketplaceParticipations")
        return list(data.get("payload") or [])

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
        if not 1 <= int(max_results) <= 100:
            raise ValueError("max_results must be between 1 and 100")
        params: dict[str, Any] = {
            "marketplaceIds": [self.marketplace_id],
            "createdAfter": created_after,
            "createdBefore": created_before,
            "lastUpdatedAfter": last_updated_after,
            "lastUpdatedBefore": last_updated_before,
            "fulfillmentStatuses": _csv(fulfillment_statuses),
            "includedData": _csv(included_data),
            "maxResultsPerPage": int(max_results),
        }
        # Formatting once keeps every page's filters byte-identical.
        params = {k: (format_datetime(v) if isinstance(v, (datetime, date)) else v) for k, v in params.items()}
        token = None
        while True:
            page_params = dict(params)
            if token:
                page_params["paginationToken"] = token
            page = self.request("GET", "/orders/2026-01-01/orders", operation="searchOrders", params=page_params)
            yield page
            token = (page.get("pagination") or {}).get("nextToken")
            if not token:
                return

    def iter_orders(self, **filters: Any) -> Iterator[dict]:
        """Single orders across all pages of :meth:`search_orders`."""
        for page in self.search_orders(**filters):
            yield from page.get("orders") or []

    def get_order(self, order_id: str, *, included_data: Iterable[str] | None = None) -> dict:
        """Amazon's getOrder response unchanged: the order is under ``"order"``."""
        return self.request(
            "GET",
            f"/orders/2026-01-01/orders/{quote_segment(order_id)}",
            operation="getOrder",
            params={"includedData": _csv(included_data)},
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
        body: dict[str, Any] = {"marketplaceId": marketplace_id or self.marketplace_id, "packageDetail": detail}
        if cod_collection_method:
            body["codCollectionMethod"] = cod_collection_method
        self.request(
            "POST",
            f"/orders/v0/orders/{quote_segment(order_id)}/shipmentConfirmation",
            operation="confirmShipment",
            body=body,
        )

    # ------------------------------------------------------------------ listings

    def _listing_path(self, sku: str) -> str:
        if not sku:
            raise ValueError("sku is empty")
        return f"/listings/2021-08-01/items/{quote_segment(self._require_seller())}/{quote_segment(sku)}"

    def get_listings_item(self, sku: str, *, included_data: Iterable[str] | None = None) -> dict:
        return self.request(
            "GET",
            self._listing_path(sku),
            operation="getListingsItem",
            params={
                "marketplaceIds": [self.marketplace_id],
                "issueLocale": self.issue_locale,
                "includedData": _csv(included_data),
            },
        )

    def put_listings_item(
        self,
        sku: str,
        *,
        product_type: str,
        attributes: dict,
        requirements: str | None = None,
        mode: str | None = None,
    ) -> dict:
        body: dict[str, Any] = {"productType": product_type, "attributes": attributes}
        if requirements:
            body["requirements"] = requirements
        return self.request(
            "PUT",
            self._listing_path(sku),
            operation="putListingsItem",
            params={"marketplaceIds": [self.marketplace_id], "issueLocale": self.issue_locale, "mode": mode},
            body=body,
        )

    def patch_listings_item(self, sku: str, *, product_type: str, patches: list[dict], mode: str | None = None) -> dict:
        if not patches:
            raise ValueError("patches is empty")
        return self.request(
            "PATCH",
            self._listing_path(sku),
            operation="patchListingsItem",
            params={"marketplaceIds": [self.marketplace_id], "issueLocale": self.issue_locale, "mode": mode},
            body={"productType": product_type, "patches": list(patches)},
        )

    def delete_listings_item(self, sku: str) -> dict:
        return self.request(
            "DELETE",
            self._listing_path(sku),
            operation="deleteListingsItem",
            params={"marketplaceIds": [self.marketplace_id], "issueLocale": self.issue_locale},
        )

    # ------------------------------------------------------------------ feeds

    def create_feed_document(self, content_type: str) -> dict:
        """``{"feedDocumentId", "url"}``; upload to ``url`` within 5 minutes."""
        return self.request(
            "POST",
            "/feeds/2021-06-30/documents",
            operation="createFeedDocument",
            body={"contentType": content_type},
        )

    def upload_feed_document(self, url: str, data: bytes, content_type: str) -> None:
        # The presigned URL is signed for this exact content type, and an
        # access token would be refused by the document store.
        self._raw("PUT", url, operation="uploadFeedDocument", data=data, headers={"content-type": content_type})

    def create_feed(self, feed_type: str, input_feed_document_id: str, *,
                    marketplace_ids: Iterable[str] | None = None) -> dict:
        return self.request(
            "POST",
            "/feeds/2021-06-30/feeds",
            operation="createFeed",
            body={
                "feedType": feed_type,
                "marketplaceIds": list(marketplace_ids or [self.marketplace_id]),
                "inputFeedDocumentId": input_feed_document_id,
            },
        )

    def get_feeds(
        self,
        *,
        feed_types: Iterable[str] | None = None,
        created_since: datetime | str | None = None,
        processing_statuses: Iterable[str] | None = None,
        page_size: int = FEEDS_MAX_PAGE_SIZE,
        next_token: str | None = None,
    ) -> dict:
        """One page of getFeeds: ``{"feeds": [...], "nextToken"?}``, this marketplace only.

        Amazon refuses a ``next_token`` sent with any other parameter, so with a
        token nothing else is sent; without one ``feed_types`` is required.
        """
        if next_token:
            params: dict[str, Any] = {"nextToken": next_token}
        else:
            feed_types = [str(t) for t in (feed_types or [])]
            if not 1 <= len(feed_types) <= 10:
                raise ValueError("give 1 to 10 feed_types (or a next_token)")
            if not 1 <= int(page_size) <= FEEDS_MAX_PAGE_SIZE:
                raise ValueError(f"page_size must be between 1 and {FEEDS_MAX_PAGE_SIZE}")
            params = {
                "feedTypes": feed_types,
                "marketplaceIds": [self.marketplace_id],
                "pageSize": int(page_size),
                "processingStatuses": _csv(processing_statuses),
                "createdSince": created_since,
            }
        return self.request("GET", "/feeds/2021-06-30/feeds", operation="getFeeds", params=params)

    def iter_feeds(self, **filters: Any) -> Iterator[dict]:
        """Single feeds across all pages of :meth:`get_feeds`."""
        page = self.get_feeds(**filters)
        while True:
            yield from page.get("feeds") or []
            token = page.get("nextToken")
            if not token:
                return
            page = self.get_feeds(next_token=token)

    def get_feed(self, feed_id: str) -> dict:
        return self.request("GET", f"/feeds/2021-06-30/feeds/{quote_segment(feed_id)}", operation="getFeed")

    def get_feed_document(self, feed_document_id: str) -> dict:
        return self.request(
            "GET", f"/feeds/2021-06-30/documents/{quote_segment(feed_document_id)}", operation="getFeedDocument"
        )

    def download_feed_document(self, document: dict) -> bytes:
        """The document's bytes, decompressed when Amazon gzipped them."""
        response = self._raw("GET", document["url"], operation="downloadFeedDocument")
        content = response.content
        # requests already inflates a body sent with Content-Encoding: gzip,
        # so check the magic bytes rather than trust the flag alone.
        if document.get("compressionAlgorithm") == "GZIP" and content[:2] == b"\x1f\x8b":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError) as exc:
                raise MalformedResponseError("feed document is not valid gzip", operation="downloadFeedDocument") from exc
        return content

    def download_product_type_schema(self, definition: dict) -> dict:
        """The JSON Schema a getDefinitionsProductType answer links to ({} when it links none)."""
        link = ((definition.get("schema") or {}).get("link") or {}).get("resource")
        if not link:
            return {}
        response = self._raw("GET", link, operation="downloadProductTypeSchema")
        try:
            return response.json()
        except ValueError as exc:
            raise MalformedResponseError("product type schema is not JSON", operation="downloadProductTypeSchema") from exc

    def submit_json_listings_feed(self, document: dict) -> str:
        """Upload a JSON_LISTINGS_FEED document and create the feed; returns the feedId."""
        header = document.get("header") or {}
        if header.get("version") != "2.0":
            raise ValueError('JSON_LISTINGS_FEED header.version must be "2.0"')
        messages = document.get("messages") or []
        if not 1 <= len(messages) <= 25000:
            raise ValueError("a JSON_LISTINGS_FEED holds 1 to 25,000 messages")
        created = self.create_feed_document(JSON_FEED_CONTENT_TYPE)
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.upload_feed_document(created["url"], data, JSON_FEED_CONTENT_TYPE)
        feed = self.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"])
        log.info("JSON_LISTINGS_FEED %s submitted with %s message(s)", feed.get("feedId"), len(messages))
        return feed["feedId"]

    # ------------------------------------------------------------------ catalog

    def search_catalog_items_by_ean(
        self, eans: list[str], *, included_data: Iterable[str] = ("summaries", "identifiers")
    ) -> dict:
        """Catalog items matching the EANs, merged over batches of 20 and pages.

        Returns ``{"numberOfResults": n, "items": [...]}`` like one Amazon page.
        """
        eans = [str(e).strip() for e in eans if str(e).strip()]
        items: list[dict] = []
        seen: set[str] = set()
        for start in range(0, len(eans), CATALOG_MAX_IDENTIFIERS):
            batch = eans[start:start + CATALOG_MAX_IDENTIFIERS]
            params: dict[str, Any] = {
                "identifiers": batch,
                "identifiersType": "EAN",
                "marketplaceIds": [self.marketplace_id],
                "includedData": _csv(included_data),
                "pageSize": CATALOG_MAX_PAGE_SIZE,
                "locale": "tr_TR",
            }
            while True:
                page = self.request("GET", "/catalog/2022-04-01/items", operation="searchCatalogItems", params=params)
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

    # ------------------------------------------------------------------ product types

    def get_definitions_product_type(
        self, product_type: str, *, requirements: str = "LISTING", locale: str = "tr_TR"
    ) -> dict:
        return self.request(
            "GET",
            f"/definitions/2020-09-01/productTypes/{quote_segment(product_type)}",
            operation="getDefinitionsProductType",
            params={
                "marketplaceIds": [self.marketplace_id],
                "sellerId": self.seller_id,
                "requirements": requirements,
                "locale": locale,
            },
        )
