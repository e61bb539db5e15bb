"""Imported Amazon orders and each store's order import settings and cursor.

One row per (store, Amazon order id), enforced by the database: two importers
racing on the same order cannot both insert it. Buyers' name, address, phone and
invoice (tax) details are kept only Fernet-encrypted, and are emptied 30 days
after the order shipped or was cancelled (Amazon's data protection policy).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Money, UTCDateTime, utcnow

UNKNOWN_SKU_POLICIES = ("skip", "unmatched")
#: What the shop order is in: pending, ready, partially_shipped, shipped,
#: cancelled; "skipped" is an order the plugin did not pass to the shop
#: (an unknown SKU under the skip policy, or set aside: see set_aside_reason).
ORDER_STATES = ("pending", "ready", "partially_shipped", "shipped", "cancelled", "skipped")
#: States of an order with units still to hand to the carrier (a pending one cannot ship yet).
TO_SHIP_STATES = ("ready", "partially_shipped")


class OrderImportSettings(Base):
    """Per store: the number prefix, the unknown SKU policy and the lastUpdatedAfter cursor."""

    __tablename__ = "amazon_tr_order_settings"
    __table_args__ = (
        CheckConstraint("unknown_sku IN ('skip', 'unmatched')", name="unknown_sku"),
    )

    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), primary_key=True)
    #: None: AMAZON_TR_ORDER_PREFIX from the config.
    number_prefix: Mapped[str | None] = mapped_column(String(20))
    unknown_sku: Mapped[str] = mapped_column(String(20), default="skip")
    #: Orders updated at or after (cursor − overlap) are fetched next time.
    cursor: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cursor_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: While a run re-reads the overlap behind the cursor: the lastUpdatedTime it got to.
    #: A run cut off there (a restart, Amazon's rate limit) is continued from this point
    #: instead of from cursor − overlap, so the import always moves forward. None once
    #: the cursor moves.
    resume_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the store's first import began: an order placed before it and already
    #: shipped or cancelled when first seen was counted in the shop's stock by the
    #: seller already, and never reserves stock again (a seller who was already live).
    backfill_before: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportedOrder(Base):
    __tablename__ = "amazon_tr_order"
    __table_args__ = (
        UniqueConstraint("store_id", "amazon_order_id", name="uq_amazon_tr_order_store_amazon_order"),
        CheckConstraint("state IN (%s)" % ", ".join(f"'{s}'" for s in ORDER_STATES), name="state"),
        Index("ix_amazon_tr_order_store_imported", "store_id", "imported_at"),
        Index("ix_amazon_tr_order_closed_purge", "closed_at", "personal_data_purged_at"),
        Index("ix_amazon_tr_order_store_ship_by", "store_id", "ship_by_latest"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"))
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    #: The shop's order number (prefix + Amazon order id); None while skipped.
    shop_number: Mapped[str | None] = mapped_column(String(64))
    shop_ref: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    amazon_status: Mapped[str | None] = mapped_column(String(30))
    fulfillment_channel: Mapped[str] = mapped_column(String(10), default="merchant")  # merchant, amazon
    currency: Mapped[str] = mapped_column(String(3), default="TRY")
    total: Mapped[Decimal] = mapped_column(Money(14, 2), default=Decimal("0"))
    shipping: Mapped[Decimal] = mapped_column(Money(14, 2), default=Decimal("0"))
    tax: Mapped[Decimal] = mapped_column(Money(14, 2), default=Decimal("0"))
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    #: SKUs Amazon sold that the shop does not know, comma separated.
    unknown_skus: Mapped[str | None] = mapped_column(Text)
    #: Amazon sent this order (or its latest change) in a shape the shop must not take:
    #: why, in Turkish, for the history page. Asked for again on the next run; None once
    #: it imported. The shop's order, if there is one, is left as it was.
    set_aside_reason: Mapped[str | None] = mapped_column(Text)
    purchased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amazon_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the order as Amazon sent it: lastUpdatedTime has whole seconds,
    #: so a change within the same second is told apart by its content.
    amazon_digest: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When Amazon reported it shipped or cancelled: the 30 days start here.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: fulfillment.shipByWindow: the order must be handed to the carrier within it.
    ship_by_earliest: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ship_by_latest: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The buyer asked Amazon to cancel (an item's cancellationRequest that was not
    #: carried out yet): the order must not be shipped before the seller decides.
    cancellation_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    #: Amazon sent a merchant-fulfilled order that is ready to ship without a delivery
    #: address: the application lacks the Direct-to-Consumer Shipping role. The order
    #: is in the shop (its stock is held) but cannot be shipped from the plugin's data.
    address_withheld: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The store's first import found it already shipped or cancelled (placed before that
    #: import began): the seller's stock counted it already, so the shop never reserves for it.
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: tax.taxInvoicing.buyerInvoicePreference (Türkiye only): individual or business
    #: (e-Arşiv or e-Fatura); None when Amazon did not say.
    invoice_preference: Mapped[str | None] = mapped_column(String(20))
    #: The order's lines as the shop got them (SKU, title, quantity, unit price), JSON:
    #: what the order page lists.
    lines_json: Mapped[str | None] = mapped_column(Text)

    # Personal data, Fernet-encrypted; emptied by the purge.
    buyer_name_encrypted: Mapped[str | None] = mapped_column(Text)
    address_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    #: The buyer's tax registration (VKN/TCKN, vergi dairesi, legal name and address), JSON.
    tax_info_encrypted: Mapped[str | None] = mapped_column(Text)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ImportedOrder {self.store_id}:{self.amazon_order_id} {self.state}>"
