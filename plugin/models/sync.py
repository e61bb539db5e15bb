"""Sync runs (the history page and progress bars) and per-store leases."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class SyncRun(Base):
    __tablename__ = "amazon_tr_sync_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # orders, products, purge, shipments…
    trigger: Mapped[str] = mapped_column(String(20), default="manual")  # manual, scheduler, cli
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, done, failed
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cursor: Mapped[str | None] = mapped_column(String(64))
    counts_json: Mapped[str] = mapped_column(Text, default="{}")
    error: Mapped[str | None] = mapped_column(Text)  # Turkish text for the admin, Amazon's message included

    @property
    def counts(self) -> dict:
        return json.loads(self.counts_json or "{}")

    @counts.setter
    def counts(self, value: dict) -> None:
        self.counts_json = json.dumps(value, sort_keys=True)


class StoreLease(Base):
    """Who works on a store's sync of one kind right now; expires so a dead holder frees it."""

    __tablename__ = "amazon_tr_store_lease"
    __table_args__ = (UniqueConstraint("store_id", "kind", name="uq_amazon_tr_store_lease_store_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
