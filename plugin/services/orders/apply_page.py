"""One page of Amazon orders into the shop and our tables, in one transaction.

The shop's orders (the host's tables, same session), our order rows, the run's
counters and the store's cursor are committed together: a kill -9 before the
commit loses the page entirely, and the next run fetches it again from the
unchanged cursor. The database refuses a second row for the same (store,
Amazon order id), and the shop's order number is derived from that id, so a
race that slips past the lease ends in an IntegrityError; the page is rolled
back and applied again, now as updates.

Each order is checked on its own before anything is written (mapping.map_order):
one Amazon sent in a shape the shop must not take is set aside, with its
Turkish reason on our row, and the rest of the page goes on; the shop and its
stock never see it. The shop gets the page's orders in one call
(shop.upsert_orders), and nothing is flushed before the page is complete.

A merchant-fulfilled order that is ready to ship but came without a delivery
address (the application lacks Amazon's Direct-to-Consumer Shipping role) is
flagged (``address_withheld``), not set aside: set aside, the shop would not hold
its stock and could sell those units again while Amazon still expects the order
shipped by its ship-by date (the seller reads the address in Seller Central),
and asking Amazon again would only bring the same answer until the role is
granted and the seller authorizes the store again. The flag shows on the order
list and page and goes to the shop with the order.

The store's first import reaches 30 days back: an order placed before it began
that is already shipped or cancelled when first seen was counted in the shop's
stock by a seller who was already selling, so it never reserves stock
(``backfilled``), now or on any later change.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...models import ImportedOrder, SyncRun
from ...shop import upsert_orders
from .. import runs, session, state
from .mapping import CLOSED, ORDER_ID, MappedOrder, OrderShapeError, map_order
from .settings import prefix_of, settings_for

log = logging.getLogger("amazon_tr")

ZERO = Decimal("0")


def apply_orders(store_id: int, orders: list[dict], *, run_id: int | None, cursor: datetime | None,
                 waits: int = 0, count_page: bool = True, rereading: bool = False) -> dict:
    """Write a page of Amazon orders into the shop and our tables, commit once; returns the counts.

    ``cursor``: where the store's cursor may move with this page (only ever
    forward). ``rereading``: the run re-reads the overlap behind the cursor; a
    page that does not move the cursor then records how far the re-read got
    (``resume_after``), so a run cut off inside the overlap is continued there.

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
                _move_cursor(store_id, cursor, rereading)
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


def _move_cursor(store_id: int, cursor: datetime, rereading: bool) -> None:
    settings = settings_for(store_id)
    if settings.cursor is None or cursor > settings.cursor:
        settings.cursor = cursor
        settings.cursor_updated_at = runs.now()
        settings.resume_after = None
    elif rereading and (settings.resume_after is None or cursor > settings.resume_after):
        settings.resume_after = cursor


def _transient(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(getattr(exc.orig, "diag", None), "sqlstate", None)
    return code in ("40P01", "40001", "55P03") or "database is locked" in str(exc.orig)


def _digest(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _check(store_id: int, orders: list[dict], counts: dict) -> tuple[dict[str, tuple[MappedOrder, str]], dict]:
    """The page's orders that the shop may take (by id, the latest of duplicates), and those set aside.

    Returns ``(mapped, set_aside)``: ``{id: (MappedOrder, digest)}`` and
    ``{id: Turkish reason}``. An order without a usable id is only counted and
    logged: there is nothing to keep it under or to ask Amazon for again.
    """
    mapped: dict[str, tuple[MappedOrder, str]] = {}
    set_aside: dict[str, str] = {}
    for raw in orders:
        try:
            m = map_order(raw)
        except (ValueError, TypeError, ArithmeticError) as exc:
            counts["invalid"] += 1
            oid = raw.get("orderId") if isinstance(raw, dict) else None
            usable = isinstance(oid, str) and ORDER_ID.match(oid) is not None
            # The log names what is wrong, never a value the buyer gave (str(OrderShapeError) holds none).
            what = str(exc) if isinstance(exc, OrderShapeError) else type(exc).__name__
            log.warning("store %s: Amazon order %s set aside: %s", store_id, oid if usable else "(no usable id)",
                        what)
            if usable:
                reason = exc.reason if isinstance(exc, OrderShapeError) else _l(
                    "The order from Amazon has an unexpected shape (%(field)s).", field=type(exc).__name__)
                set_aside[oid] = in_turkish(reason)
            continue
        seen = mapped.get(m.amazon_order_id)
        if seen is None or m.updated >= seen[0].updated:
            mapped[m.amazon_order_id] = (m, _digest(raw))
    for oid in mapped:
        set_aside.pop(oid, None)  # a good copy of it in the same page wins
    return mapped, set_aside


def _write_page(store_id: int, orders: list[dict]) -> dict:
    db = session()
    st = state()
    shop, cipher, now = st.shop, st.cipher, st.clock.now()
    settings = settings_for(store_id)
    prefix, policy = prefix_of(settings), settings.unknown_sku
    backfill_before = settings.backfill_before
    counts = dict.fromkeys(("orders", "created", "updated", "unchanged", "skipped", "invalid", "no_address"), 0)

    mapped, set_aside = _check(store_id, orders, counts)
    counts["orders"] = len(mapped)
    if not mapped and not set_aside:
        return counts
    skus = {sku for m, _ in mapped.values() for sku in m.skus}
    known = {p.sku for p in shop.iter_products(skus=sorted(skus))} if skus else set()
    ids = list(mapped) + list(set_aside)
    existing = {row.amazon_order_id: row for row in db.scalars(
        select(ImportedOrder).where(ImportedOrder.store_id == store_id, ImportedOrder.amazon_order_id.in_(ids)))}

    fresh: list[_NewRow] = []  # rows this page creates: one bulk INSERT, no ORM objects
    with db.no_autoflush:  # the rows it changes: one flush for the page, at its end
        for oid, reason in set_aside.items():
            # Nothing of it reaches the shop; a shop order it already has stays as it was.
            row = existing.get(oid)
            if row is None:
                row = _NewRow.create(store_id, oid, now)
                fresh.append(row)
            row.set_aside_reason = reason
            row.updated_at = now

        to_shop = []
        for oid, (m, digest) in mapped.items():
            row = existing.get(oid)
            if row is not None and row.set_aside_reason is not None:
                row.set_aside_reason = None  # Amazon sent it in good shape this time
                row.updated_at = now
            if row is not None and row.state != "skipped" and row.amazon_updated_at is not None and (
                    m.updated < row.amazon_updated_at or row.amazon_digest == digest):
                counts["unchanged"] += 1  # seen in the overlap or on a re-run, or older than what we have
                continue
            unknown = sorted({line.sku or "?" for line in m.lines if not line.sku or line.sku not in known})
            if row is None:
                row = _NewRow.create(store_id, oid, now)
                fresh.append(row)
            _fill_facts(row, m, unknown, now)
            row.amazon_digest = digest
            if unknown and policy == "skip" and row.shop_number is None:
                # Not passed to the shop; stays visible as a warning and is retried on every
                # later update of the order (or a re-import) once the SKUs exist.
                counts["skipped"] += 1
                row.state = "skipped"
                log.info("store %s: Amazon order %s skipped: unknown SKU(s) %s", store_id, oid, ", ".join(unknown))
                continue
            if row.shop_number is None and m.status in CLOSED and backfill_before is not None \
                    and m.created is not None and m.created < backfill_before:
                row.backfilled = True
            number = row.shop_number or prefix + oid
            to_shop.append((row, m, number))

        purged = {id(row): row.personal_data_purged_at is not None for row, _, _ in to_shop}
        refs = upsert_orders(shop, [m.shop_order(number, known_skus=known, purged=purged[id(row)],
                                                 backfilled=bool(row.backfilled))
                                    for row, m, number in to_shop])
        for (row, m, number), ref in zip(to_shop, refs):
            new, was = row.shop_number is None, row.state
            row.shop_ref = ref
            if m.status == "cancelled" and was != "cancelled":
                shop.cancel_order(number)
            row.shop_number = number
            row.state = m.status
            if not purged[id(row)]:
                row.buyer_name_encrypted = cipher.encrypt(m.customer_name)
                row.address_encrypted = cipher.encrypt(json.dumps(m.address, ensure_ascii=False)) \
                    if m.address else None
                row.phone_encrypted = cipher.encrypt(m.phone)
                tax = m.details.tax
                row.tax_info_encrypted = cipher.encrypt(json.dumps(tax, ensure_ascii=False)) if tax else None
            if m.details.address_withheld:
                counts["no_address"] += 1
                log.warning("store %s: Amazon order %s is ready to ship but came without a delivery address "
                            "(the application lacks the Direct-to-Consumer Shipping role)",
                            store_id, row.amazon_order_id)
            counts["created" if new else "updated"] += 1
        if fresh:
            # A second importer that inserted one of them first makes this an IntegrityError:
            # apply_orders rolls the page back and applies it again, as updates.
            db.execute(insert(ImportedOrder.__table__), [vars(row) for row in fresh])
    db.flush()
    return counts


class _NewRow(SimpleNamespace):
    """An order row this page creates, as the values of its INSERT (every column the page may set)."""

    @classmethod
    def create(cls, store_id: int, amazon_order_id: str, now: datetime) -> "_NewRow":
        return cls(store_id=store_id, amazon_order_id=amazon_order_id, imported_at=now, updated_at=now,
                   state="skipped", set_aside_reason=None, shop_number=None, shop_ref=None, amazon_status=None,
                   fulfillment_channel="merchant", currency="TRY", total=ZERO, shipping=ZERO, tax=ZERO,
                   item_count=0, unknown_skus=None, purchased_at=None, amazon_updated_at=None, amazon_digest=None,
                   closed_at=None, buyer_name_encrypted=None, address_encrypted=None, phone_encrypted=None,
                   personal_data_purged_at=None, ship_by_earliest=None, ship_by_latest=None,
                   cancellation_requested=False, cancellation_reason=None, address_withheld=False, backfilled=False,
                   invoice_preference=None, lines_json=None, tax_info_encrypted=None)


def _fill_facts(row, m, unknown: list[str], now: datetime) -> None:
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
    details = m.details
    row.ship_by_earliest = details.ship_by_earliest
    row.ship_by_latest = details.ship_by_latest
    row.cancellation_requested = details.cancellation_requested
    row.cancellation_reason = details.cancellation_reason
    row.address_withheld = details.address_withheld
    row.invoice_preference = details.invoice_preference
    row.lines_json = m.lines_json()
    if m.status in CLOSED:
        row.closed_at = row.closed_at or m.updated
    else:
        row.closed_at = None
