"""Feeds 2021-06-30: input documents, feeds, and their processing reports."""
from __future__ import annotations

import gzip
from datetime import datetime
from typing import Any, Iterable, Iterator

from .errors import MalformedResponseError
from .formats import comma_list, quote_segment
from .operations import Operations

#: getFeeds' largest page.
FEEDS_MAX_PAGE_SIZE = 100


class Feeds(Operations):
    def create_document(self, content_type: str) -> dict:
        """``{"feedDocumentId", "url"}``; upload to ``url`` within 5 minutes."""
        return self._request("POST", "/feeds/2021-06-30/documents", operation="createFeedDocument",
                             body={"contentType": content_type})

    def upload_document(self, url: str, data: bytes, content_type: str) -> None:
        # The presigned URL is signed for this exact content type, and an
        # access token would be refused by the document store.
        self._caller.transport.document_request("PUT", url, operation="uploadFeedDocument", data=data,
                                                headers={"content-type": content_type})

    def create(self, feed_type: str, input_feed_document_id: str, *,
               marketplace_ids: Iterable[str] | None = None) -> dict:
        return self._request(
            "POST",
            "/feeds/2021-06-30/feeds",
            operation="createFeed",
            body={
                "feedType": feed_type,
                "marketplaceIds": list(marketplace_ids or [self._caller.marketplace_id]),
                "inputFeedDocumentId": input_feed_document_id,
            },
        )

    def page(
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
                "marketplaceIds": [self._caller.marketplace_id],
                "pageSize": int(page_size),
                "processingStatuses": comma_list(processing_statuses),
                "createdSince": created_since,
            }
        return self._request("GET", "/feeds/2021-06-30/feeds", operation="getFeeds", params=params)

    def iterate(self, **filters: Any) -> Iterator[dict]:
        """Single feeds across all pages of :meth:`page`."""
        page = self.page(**filters)
        while True:
            yield from page.get("feeds") or []
            token = page.get("nextToken")
            if not token:
                return
            page = self.page(next_token=token)

    def get(self, feed_id: str) -> dict:
        return self._request("GET", f"/feeds/2021-06-30/feeds/{quote_segment(feed_id)}", operation="getFeed")

    def cancel(self, feed_id: str) -> dict:
        """cancelFeed: only a feed still IN_QUEUE can be cancelled (feeds-2021-06-30.json)."""
        return self._request("DELETE", f"/feeds/2021-06-30/feeds/{quote_segment(feed_id)}", operation="cancelFeed")

    def get_document(self, feed_document_id: str) -> dict:
        return self._request("GET", f"/feeds/2021-06-30/documents/{quote_segment(feed_document_id)}",
                             operation="getFeedDocument")

    def download_document(self, document: dict) -> bytes:
        """The document's bytes, decompressed when Amazon gzipped them."""
        response = self._caller.transport.document_request("GET", document["url"], operation="downloadFeedDocument")
        content = response.content
        # requests already inflates a body sent with Content-Encoding: gzip,
        # so check the magic bytes rather than trust the flag alone.
        if document.get("compressionAlgorithm") == "GZIP" and content[:2] == b"\x1f\x8b":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError) as exc:
                raise MalformedResponseError("feed document is not valid gzip",
                                             operation="downloadFeedDocument") from exc
        return content
