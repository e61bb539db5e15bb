"""The scheduler's own rows: per-store pause, per-job slot claims, and who leads."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, delete, event
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Store, UTCDateTime


class SchedulerStore(Base):
    """A store the admin paused in the scheduler box (no row: not paused)."""

    __tablename__ = "amazon_tr_scheduler_store"

    store_id: Mapped[int] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), primary_key=True)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SchedulerClaim(Base):
    """One job ("orders:12", "purge") in one time slot: the row is the claim, its key makes it the only one.

    Slots are the interval's multiples since the epoch, so every process computes
    the same grid; whoever inserts (job, slot) first runs it, so a new leader never
    repeats the tick its predecessor already ran. Rows older than two days go in the
    daily purge.
    """

    __tablename__ = "amazon_tr_scheduler_claim"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("amazon_tr_store.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    holder: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[int | None] = mapped_column(Integer)  # the SyncRun the service recorded, when it records one


class SchedulerLeader(Base):
    """One row (id 1) the leading process keeps fresh, for the admin box and the CLI."""

    __tablename__ = "amazon_tr_scheduler_leader"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    lock: Mapped[str] = mapped_column(String(20))  # postgres, file
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(Store, "after_delete")
def _forget_deleted_store(mapper, connection, target) -> None:
    # SQLite runs without foreign key enforcement here, and reuses the highest id:
    # a new store must not inherit a deleted one's pause.
    connection.execute(delete(SchedulerStore).where(SchedulerStore.store_id == target.id))
    connection.execute(delete(SchedulerClaim).where(SchedulerClaim.store_id == target.id))
