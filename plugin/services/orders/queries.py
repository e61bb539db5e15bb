"""What the order pages show: the running import, skipped and recent orders, orders per day."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from ...models import ImportedOrder, SyncRun
from .. import session, state

#: The kind of the order import's sync runs and lease.
KIND = "orders"


def current_run(store_id: int) -> SyncRun | None:
    return session().scalar(
        select(SyncRun).where(SyncRun.store_id == store_id, SyncRun.kind == KIND, SyncRun.status == "running")
        .order_by(SyncRun.id.desc()).limit(1))


def skipped_orders(store_id: int, limit: int = 50) -> list[ImportedOrder]:
    """Orders not (or not fully) in the shop: unknown SKUs, or set aside because Amazon sent them malformed."""
    return list(session().scalars(
        select(ImportedOrder).where(ImportedOrder.store_id == store_id,
                                    or_(ImportedOrder.state == "skipped", ImportedOrder.set_aside_reason.is_not(None)))
        .order_by(ImportedOrder.updated_at.desc()).limit(limit)))


def recent_orders(store_id: int, limit: int = 20) -> list[ImportedOrder]:
    return list(session().scalars(
        select(ImportedOrder).where(ImportedOrder.store_id == store_id, ImportedOrder.state != "skipped")
        .order_by(ImportedOrder.imported_at.desc(), ImportedOrder.id.desc()).limit(limit)))


def orders_per_day(store_id: int, days: int = 30) -> list[tuple]:
    """[(date, count)] of orders imported into the shop, one entry per day, oldest first."""
    now = state().clock.now()
    start = (now - timedelta(days=days - 1)).date()
    rows = session().execute(
        select(ImportedOrder.imported_at).where(
            ImportedOrder.store_id == store_id, ImportedOrder.state != "skipped",
            ImportedOrder.imported_at >= datetime.combine(start, datetime.min.time(), tzinfo=now.tzinfo)))
    per_day: dict = {}
    for (moment,) in rows:
        per_day[moment.date()] = per_day.get(moment.date(), 0) + 1
    return [(start + timedelta(days=i), per_day.get(start + timedelta(days=i), 0)) for i in range(days)]
