"""Kargo bildirimi: packages confirmed to Amazon, what Amazon last said of each
imported order, and each store's carrier mapping.

A package row is written before Amazon is called (state "sending" with its
packageReferenceId), so a process that dies between the call and the commit
leaves a trace the next run settles by asking Amazon whether the package
arrived, instead of confirming it a second time.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

#: pending: waits for its first call; sending: the call may be under way (or
#: the process died during it); retry: a transient failure, due again at
#: next_attempt_at; confirmed: Amazon has it; failed: Amazon refused it or
#: retries ran out (shown in Turkish with Amazon's message).
PACKAGE_STATES = ("pending", "sending", "retry", "confirmed", "failed")


class ShipmentSettings(Base):
    """Per store: the carrier mapping the admin edited (only the differences from the defaults)."""

    __tablename__ = "amazon_tr_shipment_settings"

    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), primary_key=True)
    carriers_json: Mapped[str] = mapped_column(Text, default="{}")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def carriers(self) -> dict:
        return json.loads(self.carriers_json or "{}")

    @carriers.setter
    def carriers(self, value: dict) -> None:
        self.carriers_json = json.dumps(value, ensure_ascii=False, sort_keys=True)


class ShipmentOrder(Base):
    """What getOrder last said of an imported order: items with ids, channel, status, packages."""

    __tablename__ = "amazon_tr_shipment_order"

    order_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_order.id", ondelete="CASCADE"), primary_key=True)
    fulfillment_status: Mapped[str | None] = mapped_column(String(30))
    fulfilled_by: Mapped[str | None] = mapped_column(String(10))  # MERCHANT, AMAZON
    #: [{"orderItemId", "sku", "title", "quantityOrdered", "quantityFulfilled"}]; no buyer data.
    items_json: Mapped[str] = mapped_column(Text, default="[]")
    #: packageReferenceIds Amazon shows on the order.
    amazon_packages_json: Mapped[str] = mapped_column(Text, default="[]")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def items(self) -> list[dict]:
        return json.loads(self.items_json or "[]")

    @property
    def amazon_packages(self) -> list[str]:
        return json.loads(self.amazon_packages_json or "[]")


class ShipmentPackage(Base):
    __tablename__ = "amazon_tr_shipment_package"
    __table_args__ = (
        UniqueConstraint("order_id", "package_reference_id", name="uq_amazon_tr_shipment_package_order_reference"),
        UniqueConstraint("order_id", "signal_key", name="uq_amazon_tr_shipment_package_order_signal"),
        CheckConstraint("state IN (%s)" % ", ".join(f"'{s}'" for s in PACKAGE_STATES), name="state"),
        Index("ix_amazon_tr_shipment_package_store_state", "store_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_order.id", ondelete="CASCADE"))
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    #: Positive number, unique within the order, as Amazon requires; sent as text.
    package_reference_id: Mapped[str] = mapped_column(String(20))
    #: Digest of carrier, tracking number and lines: the shop announcing the
    #: same parcel twice gets the same package, not a second one.
    signal_key: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10), default="shop")  # shop, manual
    carrier: Mapped[str] = mapped_column(String(100))  # as the shop named it
    carrier_code: Mapped[str] = mapped_column(String(100))
    carrier_name: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str] = mapped_column(String(100))
    ship_date: Mapped[datetime] = mapped_column(UTCDateTime)
    #: [{"orderItemId", "quantity", "sku", "title"}]
    lines_json: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Amazon's last answer: HTTP status, and its messages (or our Turkish note).
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_message: Mapped[str | None] = mapped_column(Text)
    last_request_id: Mapped[str | None] = mapped_column(String(64))
    sending_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def lines(self) -> list[dict]:
        return json.loads(self.lines_json or "[]")

    def __repr__(self) -> str:
        return f"<ShipmentPackage {self.amazon_order_id}#{self.package_reference_id} {self.state}>"
