"""Links between shop products and Amazon listings, per-store listing settings, feeds in flight."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Money, UTCDateTime, utcnow

#: Link states. The page shows them in Turkish: bekliyor, yayında, hata, katalog kilitli,
#: and "bağlantı kaldırıldı" for a link the admin took out of the sync.
LINK_STATES = ("pending", "live", "error", "locked", "unlinked")

PRICE_ROUNDINGS = ("none", "90", "99", "whole")


class ListingSettings(Base):
    """What the store sends on top of the shop's own values: stock buffer, price rule, product types."""

    __tablename__ = "amazon_tr_listing_settings"

    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), primary_key=True)
    stock_buffer: Mapped[int] = mapped_column(Integer, default=0)
    max_quantity: Mapped[int | None] = mapped_column(Integer)
    markup_percent: Mapped[Decimal] = mapped_column(Money(7, 2), default=Decimal("0"))
    fixed_amount: Mapped[Decimal] = mapped_column(Money(12, 2), default=Decimal("0"))
    rounding: Mapped[str] = mapped_column(String(10), default="none")
    default_product_type: Mapped[str | None] = mapped_column(String(60))
    category_map_json: Mapped[str] = mapped_column(Text, default="{}")
    # The seller's Amazon inventory (AmazonListing rows): when a whole pass last completed
    # (no push before the first), and the lastUpdatedAfter the next pass asks from.
    inventory_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inventory_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def category_map(self) -> dict[str, str]:
        return json.loads(self.category_map_json or "{}")

    @category_map.setter
    def category_map(self, value: dict[str, str]) -> None:
        self.category_map_json = json.dumps(value, ensure_ascii=False, sort_keys=True)


class ListingLink(Base):
    """One shop SKU sold on one store: its ASIN, product type, state and Amazon's last word on it.

    ``*_hash`` hold a digest of the last value Amazon accepted for each part
    (content, price, stock): a part whose digest is unchanged is not sent again.
    """

    __tablename__ = "amazon_tr_listing_link"
    __table_args__ = (UniqueConstraint("store_id", "sku", name="uq_amazon_tr_listing_link_store_sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(200))
    ean: Mapped[str | None] = mapped_column(String(20))
    asin: Mapped[str | None] = mapped_column(String(20))
    product_type: Mapped[str | None] = mapped_column(String(60))
    requirements: Mapped[str | None] = mapped_column(String(30))  # LISTING_OFFER_ONLY or LISTING
    state: Mapped[str] = mapped_column(String(20), default="pending")
    issues_json: Mapped[str] = mapped_column(Text, default="[]")
    locked_reason: Mapped[str | None] = mapped_column(Text)

    content_hash: Mapped[str | None] = mapped_column(String(32))
    price_hash: Mapped[str | None] = mapped_column(String(32))
    stock_hash: Mapped[str | None] = mapped_column(String(32))
    # What was refused last time: the same values are not sent again until they change.
    failed_hash: Mapped[str | None] = mapped_column(String(32))

    # Last values Amazon accepted, for the preview (önizleme).
    amazon_price: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    amazon_quantity: Mapped[int | None] = mapped_column(Integer)
    amazon_title: Mapped[str | None] = mapped_column(String(300))

    price_lock_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A price far from Amazon's current one that the admin confirmed (see AMAZON_TR_PRICE_JUMP_FACTOR).
    price_confirmed: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    # Amazon ships this SKU (FBA): its stock is Amazon's, the plugin never sends a quantity.
    amazon_fulfilled: Mapped[bool] = mapped_column(Boolean, default=False)

    # A JSON_LISTINGS_FEED holding this SKU and what the message carried.
    feed_id: Mapped[str | None] = mapped_column(String(40), index=True)
    pending_json: Mapped[str | None] = mapped_column(Text)

    # Amazon's own status of the listing (BUYABLE, DISCOVERABLE; comma separated, "" for neither), read
    # back after Amazon processed what it accepted: ACCEPTED is "accepted for processing", not live
    # (services/listings/status.py). None while not read since the last accepted submission.
    amazon_status: Mapped[str | None] = mapped_column(String(60))
    # When to read it back (None: nothing to read) and when Amazon last showed it.
    status_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    status_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    last_pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def issues(self) -> list[dict]:
        return json.loads(self.issues_json or "[]")

    @issues.setter
    def issues(self, value: list[dict]) -> None:
        self.issues_json = json.dumps(value, ensure_ascii=False)

    @property
    def pending(self) -> dict | None:
        return json.loads(self.pending_json) if self.pending_json else None

    @property
    def amazon_statuses(self) -> set[str]:
        return {s for s in (self.amazon_status or "").split(",") if s}

    def price_locked(self, now: datetime) -> bool:
        return self.price_lock_until is not None and self.price_lock_until > now

    def __repr__(self) -> str:
        return f"<ListingLink {self.store_id}:{self.sku!r} {self.state} {self.asin}>"


#: A feed row whose createFeed was sent but whose feedId we do not know yet.
SUBMITTING = "SUBMITTING"


class ListingFeed(Base):
    """A JSON_LISTINGS_FEED we submitted and poll until Amazon has processed it.

    The row is written, status SUBMITTING and no ``feed_id``, and committed
    before createFeed is sent: a createFeed whose answer was lost (a timeout, a
    crash before the next commit) leaves this trace, so the feed Amazon may
    have created is looked for with getFeeds instead of being sent twice. The
    feed's SKUs are the links whose ``feed_id`` is :attr:`link_key`.
    """

    __tablename__ = "amazon_tr_listing_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), index=True)
    feed_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    input_document_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="IN_QUEUE")
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def link_key(self) -> str:
        """What the feed's links hold in ``ListingLink.feed_id``: the feedId, or a stand-in until it is known."""
        return self.feed_id or f"submitting:{self.id}"


class AmazonListing(Base):
    """One listing the seller has on Amazon.com.tr, as searchListingsItems last showed it.

    Read before the first push and refreshed by later passes, so the plugin knows which SKUs
    Amazon already has (those are only ever patched, never replaced), which ones Amazon
    ships itself (FBA: no stock is sent), and Amazon's own status of each.
    """

    __tablename__ = "amazon_tr_amazon_listing"
    __table_args__ = (UniqueConstraint("store_id", "sku", name="uq_amazon_tr_amazon_listing_store_sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(200))
    asin: Mapped[str | None] = mapped_column(String(20), index=True)
    product_type: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(60), default="")  # Amazon's statuses, comma separated
    fulfillment_channel: Mapped[str | None] = mapped_column(String(30))  # DEFAULT (the seller) or AMAZON_*
    price: Mapped[Decimal | None] = mapped_column(Money(12, 2))
    quantity: Mapped[int | None] = mapped_column(Integer)
    item_name: Mapped[str | None] = mapped_column(String(300))
    issues_json: Mapped[str] = mapped_column(Text, default="[]")
    amazon_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def amazon_fulfilled(self) -> bool:
        return bool(self.fulfillment_channel) and self.fulfillment_channel != "DEFAULT"

    @property
    def buyable(self) -> bool:
        return "BUYABLE" in self.status.split(",")

    @property
    def issues(self) -> list[dict]:
        return json.loads(self.issues_json or "[]")

