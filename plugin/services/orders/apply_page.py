"""One page of Amazon orders into the shop and our tables, in one transaction.

The shop's orders (the host's tables, same session), our order rows, the run's
counters and the store's cursor are committed together: a kill -9 before the
commit loses the page entirely, and the next run fetches it again from the
unchanged cursor. The database refuses a second row for the same (store,
Amazon order id), and the shop's order number is derived from that id, so a
race that slips past the lease ends in an IntegrityError; the page is rolled
back and applied again, now as updates.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from ...models import ImportedOrder, SyncRun
from .. import runs, session, state
from .mapping import CLOSED, OrderShapeError, map_order
from .settings import prefix_of, settings_for

log = logging.getLogger("amazon_tr")


def apply_orders(store_id: int, orders: list[dict], *, run_id: int | None, cursor: datetime | None,
                 waits: int = 0, count_page: bool = True) -> dict:
    """Write a page of Amazon orders into the shop and our tables, commit once; returns the counts.

    On a unique-constraint race with another importer the page is rolled back
    and applied again (the rows it collided with are then updated).
    """
    db = session()
    attempts = 5
    for attempt in range(attempts):
        try:
            counts = _write_page(store_id, orders)
            if count_page:
                counts["pages"] = 1
            counts["waits"] = waits
            if run_id is not None:
                runs.progress(db.get(SyncRun, run_id), commit=False, **counts)
            if cursor is not None:
                settings = settings_for(store_id)
                if settings.cursor is None or cursor > settings.cursor:
                    settings.cursor = cursor
                    settings.cursor_updated_at = runs.now()
            db.commit()
            return counts
        except IntegrityError:
            db.rollback()
            if attempt == attempts - 1:
                raise
            log.info("store %s: another importer wrote the same orders; applying the page again", store_id)
        except OperationalError as exc:
            # A deadlock (two imports reserving the same products in another order)
            # or a busy SQLite file: nothing was written, so the page is simply tried again.
            db.rollback()
            if attempt == attempts - 1 or not _transient(exc):
                raise
            log.info("store %s: database busy (%s); applying the page again", store_id, type(exc.orig).__name__)
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _transient(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(getattr(exc.orig, "diag", None), "sqlstate", None)
    return code in ("40P01", "40001", "55P03") or "database is locked" in str(exc.orig)


def _write_page(store_id: int, orders: list[dict]) -> dict:
    db = session()
    st = state()
    shop, cipher, now = st.shop, st.cipher, st.clock.now()
    settings = settings_for(store_id)
    prefix, policy = prefix_of(settings), settings.unknown_sku
    counts = dict.fromkeys(("orders", "created", "updated", "unchanged", "skipped", "invalid"), 0)

    mapped, digests = [], {}
    for raw in orders:
        try:
            mapped.append(map_order(raw))
            digests[raw["orderId"]] = hashlib.sha256(
                json.dumps(raw, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
        except (OrderShapeError, ValueError, TypeError) as exc:
            counts["invalid"] += 1
            log.warning("store %s: Amazon order %s not understood: %s", store_id, raw.get("orderId"), exc)
    counts["orders"] = len(mapped)
    if not mapped:
        return counts
    skus = {sku for m in mapped for sku in m.skus}
    known = {p.sku for p in shop.iter_products(skus=sorted(skus))} if skus else set()
    ids = [m.amazon_order_id for m in mapped]
    existing = {row.amazon_order_id: row for row in db.scalars(
        select(ImportedOrder).where(ImportedOrder.store_id == store_id, ImportedOrder.amazon_order_id.in_(ids)))}

    for m in mapped:
        row = existing.get(m.amazon_order_id)
        digest = digests[m.amazon_order_id]
        if row is not None and row.state != "skipped" and row.amazon_updated_at is not None and (
                m.updated < row.amazon_updated_at or row.amazon_digest == digest):
            counts["unchanged"] += 1  # seen in the overlap or on a re-run, or older than what we have
            continue
        unknown = sorted({line.sku or "?" for line in m.lines if not line.sku or line.sku not in known})
        if row is None:
            row = ImportedOrder(store_id=store_id, amazon_order_id=m.amazon_order_id, imported_at=now,
                                state="skipped")
            db.add(row)
            existing[m.amazon_order_id] = row
        _fill_facts(row, m, unknown, now)
        row.amazon_digest = digest
        if unknown and policy == "skip" and row.shop_number is None:
            # Not passed to the shop; stays visible as a warning and is retried on every
            # later update of the order (or a re-import) once the SKUs exist.
            counts["skipped"] += 1
            row.state = "skipped"
            log.info("store %s: Amazon order %s skipped: unknown SKU(s) %s", store_id, m.amazon_order_id,
                     ", ".join(unknown))
            continue

        new = row.shop_number is None
        number = row.shop_number or prefix + m.amazon_order_id
        purged = row.personal_data_purged_at is not None
        was = row.state
        row.shop_ref = str(shop.upsert_order(m.shop_order(number, known_skus=known, purged=purged)))
        if m.status == "cancelled" and was != "cancelled":
            shop.cancel_order(number)
        row.shop_number = number
        row.state = m.status
        if not purged:
            row.buyer_name_encrypted = cipher.encrypt(m.customer_name)
            row.address_encrypted = cipher.encrypt(json.dumps(m.address, ensure_ascii=False)) if m.address else None
            row.phone_encrypted = cipher.encrypt(m.phone)
        counts["created" if new else "updated"] += 1
    db.flush()
    return counts


def _fill_facts(row: ImportedOrder, m, unknown: list[str], now: datetime) -> None:
    row.amazon_status = m.amazon_status
    row.fulfillment_channel = m.fulfillment_channel
    row.currency = m.currency
    row.total = m.total
    row.shipping = m.shipping
    row.tax = m.tax
    row.item_count = sum(line.quantity for line in m.lines)
    row.unknown_skus = ", ".join(unknown) or None
    row.purchased_at = m.created
    row.amazon_updated_at = m.updated
    row.updated_at = now
    if m.status in CLOSED:
        row.closed_at = row.closed_at or m.updated
    else:
        row.closed_at = None
