"""What the order pages show: the running import, skipped and recent orders, orders per day, one order's details."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from ...models import ImportedOrder, SyncRun
from ...models.orders import TO_SHIP_STATES
from ...spapi.constants import MARKETPLACE_TZ as SHOP_TZ
from .. import session, state
from .privacy import personal_data

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
    """[(date, count)] of the store's orders by Amazon's purchase date (a Turkish day), oldest first.

    Counted by purchase date, not import time: a re-import or a backfill moves no bar.
    An order Amazon sent without a purchase date counts on the day it was imported.
    """
    now = state().clock.now().astimezone(SHOP_TZ)
    start = (now - timedelta(days=days - 1)).date()
    since = datetime.combine(start, datetime.min.time(), tzinfo=SHOP_TZ)
    moment = func.coalesce(ImportedOrder.purchased_at, ImportedOrder.imported_at)
    rows = session().execute(
        select(ImportedOrder.purchased_at, ImportedOrder.imported_at).where(
            ImportedOrder.store_id == store_id, ImportedOrder.state != "skipped", moment >= since))
    per_day: dict = {}
    for purchased, imported in rows:
        day = (purchased or imported).astimezone(SHOP_TZ).date()
        per_day[day] = per_day.get(day, 0) + 1
    return [(start + timedelta(days=i), per_day.get(start + timedelta(days=i), 0)) for i in range(days)]


#: Shop states of an order still to be handed to the carrier: only these can be late.
TO_SHIP = TO_SHIP_STATES


def ship_by_mark(row: ImportedOrder, now: datetime | None = None) -> str | None:
    """"late" once the ship-by window closed, "today" when it closes today (Turkish time), else None.

    Only for orders still to ship: a pending order cannot be shipped yet (Amazon is still
    checking the payment) and a shipped or cancelled one has nothing left to do.
    """
    latest = row.ship_by_latest
    if latest is None or row.state not in TO_SHIP or row.set_aside_reason:
        return None
    now = now or state().clock.now()
    if now > latest:
        return "late"
    if latest.astimezone(SHOP_TZ).date() == now.astimezone(SHOP_TZ).date():
        return "today"
    return None


def withheld_addresses(store_id: int) -> int:
    """Orders still to ship that Amazon sent without a delivery address (the restricted role is missing)."""
    return session().scalar(
        select(func.count()).select_from(ImportedOrder).where(
            ImportedOrder.store_id == store_id, ImportedOrder.address_withheld.is_(True),
            ImportedOrder.state.in_(TO_SHIP))) or 0


def order_details(row: ImportedOrder) -> dict:
    """What the order page shows of one imported order: buyer, lines, ship-by, invoice data, requests.

    ``buyer`` is the decrypted personal data (None once purged, see privacy); ``tax_label``
    names the number as the buyer's tax office knows it: VKN (10 digits, a company) or TCKN
    (11 digits, a person).
    """
    buyer = personal_data(row)
    tax = (buyer or {}).get("tax")
    digits = (tax or {}).get("number") or ""
    return {
        "buyer": buyer,
        "lines": json.loads(row.lines_json) if row.lines_json else [],
        "mark": ship_by_mark(row),
        "tax": tax,
        "tax_label": "TCKN" if digits.isdigit() and len(digits) == 11 else "VKN",
    }
