"""Sipariş Aktarımı: Amazon orders into the shop, exactly once, within Amazon's limits.

How "exactly once" holds:

* One database transaction per page of searchOrders: the shop's orders (the
  host's tables, same session), our order rows, the run's counters and the
  store's cursor are committed together. A kill -9 before the commit loses the
  page entirely; the next run fetches it again from the unchanged cursor.
* The database refuses a second row for the same (store, Amazon order id), and
  the shop's order number is derived from that id, so a race that slips past
  the lease ends in an IntegrityError; the page is rolled back and applied
  again, now as updates.
* One importer per store at a time (the "orders" lease); a lease left behind by
  a killed process on this machine is taken over at once.

The cursor is lastUpdatedAfter for the next run. It moves only forward, only
in the transaction that commits a page, and the next run starts a few minutes
before it (clock skew between Amazon's servers, orders updated in the same
second as the last one seen).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from ..i18n import lazy_gettext as _l
from ..i18n import in_turkish
from ..models import ImportedOrder, OrderImportSettings, Store, SyncRun
from ..models.orders import UNKNOWN_SKU_POLICIES
from ..shop import FORGET_CUSTOMER
from ..spapi import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    LWAError,
    NetworkError,
    NotFoundError,
    ServerError,
    SPAPIError,
    ThrottledError,
)
from . import runs, session, state
from .amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync
from .order_mapping import CLOSED, INCLUDED_DATA, OrderShapeError, map_order, parse_time

log = logging.getLogger("amazon_tr")

KIND = "orders"
DEFAULT_PREFIX = "AMZ-"
#: The next run asks for orders updated since (cursor − overlap).
OVERLAP = timedelta(minutes=5)
#: A store's first import reaches this far back.
FIRST_IMPORT_DAYS = 30
#: Amazon's data protection policy: buyer data no longer than 30 days after delivery.
PERSONAL_DATA_DAYS = 30
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
COUNT_KEYS = ("pages", "orders", "created", "updated", "unchanged", "skipped", "invalid", "waits")


# --- settings -----------------------------------------------------------------------

def settings_for(store_id: int, *, create: bool = True) -> OrderImportSettings | None:
    db = session()
    settings = db.get(OrderImportSettings, store_id)
    if settings is None and create:
        settings = OrderImportSettings(store_id=store_id, unknown_sku="skip")
        db.add(settings)
        try:
            db.commit()
        except IntegrityError:  # made by a concurrent importer a moment ago
            db.rollback()
            settings = db.get(OrderImportSettings, store_id)
    return settings


def default_prefix() -> str:
    value = current_app.config.get("AMAZON_TR_ORDER_PREFIX")
    return DEFAULT_PREFIX if value is None else str(value)


def prefix_of(settings: OrderImportSettings | None) -> str:
    if settings is not None and settings.number_prefix is not None:
        return settings.number_prefix
    return default_prefix()


class SettingsInvalid(ValueError):
    def __init__(self, errors: dict) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


PREFIX_CHARS = re.compile(r"^[0-9A-Za-z_\-/.#]*$")


def save_settings(store_id: int, *, number_prefix: str | None, unknown_sku: str) -> OrderImportSettings:
    """The store's prefix ('' for none, None for the configured default) and unknown SKU policy."""
    errors = {}
    if number_prefix is not None:
        number_prefix = number_prefix.strip()
        if len(number_prefix) > 20 or not PREFIX_CHARS.match(number_prefix):
            errors["number_prefix"] = _l("Use up to 20 letters (A–Z), digits and - _ / . # for the prefix.")
    if unknown_sku not in UNKNOWN_SKU_POLICIES:
        errors["unknown_sku"] = _l("Choose what happens to orders with an unknown stock code.")
    if errors:
        raise SettingsInvalid(errors)
    settings = settings_for(store_id)
    settings.number_prefix = number_prefix
    settings.unknown_sku = unknown_sku
    session().commit()
    return settings


# --- why a store is not imported ------------------------------------------------------

def why_not(store: Store | None):
    """None when the store may import orders now, else the reason (a lazy message)."""
    if store is None:
        return _l("The store no longer exists.")
    if not store.active:
        return _l("The store is passive: order import is stopped.")
    if not store.order_import:
        return _l("Order import (Sipariş Aktarımı) is off for this store.")
    if not can_sync(store):
        return _l("The store is not authorized with Amazon (or its authorization expired or was revoked).")
    return None




def describe_error(exc: BaseException) -> str:
    """Turkish text for the admin, with Amazon's own message (and request id) after it."""
    if isinstance(exc, (AuthorizationRevokedError, NotAuthorized)):
        head = _l("Amazon no longer accepts this store's authorization: authorize the store again.")
    elif isinstance(exc, LWAError):
        head = _l("Login with Amazon refused the token request.")
    elif isinstance(exc, ThrottledError):
        head = _l("Amazon's request limit was reached; the next import continues where this one stopped.")
    elif isinstance(exc, ForbiddenError):
        head = _l("Amazon refused access to orders: the application may lack the orders role.")
    elif isinstance(exc, NotFoundError):
        head = _l("Amazon could not find the order.")
    elif isinstance(exc, InvalidInputError):
        head = _l("Amazon rejected the request.")
    elif isinstance(exc, (ServerError, NetworkError)):
        head = _l("Amazon could not be reached or answered with an error; try again later.")
    elif isinstance(exc, NotConfigured):
        head = _l("The application's Amazon settings are missing (%(setting)s).", setting=exc.setting)
    else:
        head = _l("Orders could not be imported because of an unexpected error.")
    text = in_turkish(head)
    if isinstance(exc, SPAPIError):
        text += " " + in_turkish(_l("Amazon's answer:")) + " " + str(exc)
    return text


# --- running ---------------------------------------------------------------------------

@dataclass
class _Begun:
    run: SyncRun
    token: str | None  # None: nothing to do, ``run`` is a transient note saying why


def _skipped_run(store_id: int, trigger: str, reason) -> SyncRun:
    """A run that never started (not saved): passive, unauthorized, import off or busy."""
    now = runs.now()
    return SyncRun(store_id=store_id, kind=KIND, trigger=trigger, status="skipped", started_at=now,
                   finished_at=now, counts_json="{}", error=in_turkish(reason))


def _begin(store_id: int, trigger: str) -> _Begun:
    store = session().get(Store, store_id)
    reason = why_not(store)
    if reason is not None:
        return _Begun(_skipped_run(store_id, trigger, reason), None)
    try:
        token = runs.acquire_lease(store_id, KIND)
    except runs.LeaseBusy:
        running = current_run(store_id)
        if running is not None:
            return _Begun(running, None)
        return _Begun(_skipped_run(store_id, trigger, _l("Another order import of this store is running.")), None)
    # We hold the lease: a run still marked running was cut off (killed process).
    session().execute(
        update(SyncRun)
        .where(SyncRun.store_id == store_id, SyncRun.kind == KIND, SyncRun.status == "running")
        .values(status="failed", finished_at=runs.now(),
                error=in_turkish(_l("Interrupted: the process stopped before the import finished.")))
    )
    session().commit()
    settings = settings_for(store_id)
    run = runs.start_run(store_id, KIND, trigger=trigger, cursor=_iso(settings.cursor))
    return _Begun(run, token)


def import_orders(store_id: int, *, trigger: str = "manual", since: datetime | None = None,
                  on_page=None) -> SyncRun:
    """Import what changed on Amazon since the store's cursor (or since ``since``); returns the run.

    Nothing happens, and Amazon is not called, when the store is passive,
    unauthorized or its order import is off: the returned run is then not
    saved and has status "skipped" with the reason in ``error``. When another
    import of the store is running, that run is returned.
    """
    begun = _begin(store_id, trigger)
    if begun.token is None:
        return begun.run
    return _execute(store_id, begun.run.id, begun.token, since=since, on_page=on_page)


def start_import(store_id: int, *, since: datetime | None = None, trigger: str = "manual") -> SyncRun:
    """The button: the run is recorded now, the work goes on in the background."""
    begun = _begin(store_id, trigger)
    if begun.token is None:
        return begun.run
    runs.in_background(_execute, store_id, begun.run.id, begun.token, since=since)
    return begun.run


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def _execute(store_id: int, run_id: int, token: str, *, since: datetime | None = None, on_page=None) -> SyncRun:
    db = session()
    store = db.get(Store, store_id)
    run = db.get(SyncRun, run_id)
    cursor_text = None
    try:
        settings = settings_for(store_id)
        if since is None:
            since = (settings.cursor - OVERLAP) if settings.cursor else runs.now() - timedelta(days=FIRST_IMPORT_DAYS)
        run.cursor = _iso(since)
        db.commit()
        with calling_amazon(store) as client:
            stats = client.stats
            seen_pacing, seen_throttled = stats.pacing_seconds, stats.throttled
            previous_max = None
            ascending = True
            upper = None
            pages = client.search_orders(last_updated_after=since, included_data=list(INCLUDED_DATA),
                                         max_results=100)
            for page in pages:
                orders = page.get("orders") or []
                waits = int(stats.throttled - seen_throttled) + (1 if stats.pacing_seconds > seen_pacing else 0)
                seen_pacing, seen_throttled = stats.pacing_seconds, stats.throttled
                times = [t for t in (parse_time(o.get("lastUpdatedTime")) for o in orders) if t is not None]
                if times and previous_max is not None and min(times) < previous_max:
                    ascending = False  # Amazon promises no order: only the final bound is safe then
                if times:
                    previous_max = max(times + ([previous_max] if previous_max else []))
                last_page = not (page.get("pagination") or {}).get("nextToken")
                upper = parse_time(page.get("lastUpdatedBefore")) or upper
                if last_page:
                    advance_to = upper or previous_max
                else:
                    advance_to = previous_max if ascending else None
                apply_orders(store_id, orders, run_id=run_id, cursor=advance_to, waits=waits)
                cursor_text = _iso(advance_to) or cursor_text
                if not runs.renew_lease(store_id, KIND, token):
                    raise LeaseLost()
                if on_page is not None:
                    on_page(db.get(SyncRun, run_id))
        run = db.get(SyncRun, run_id)
        log.info("store %s: order import %s done: %s", store_id, run_id, run.counts_json)
        return runs.finish_run(run, cursor=_iso(settings_for(store_id).cursor) or cursor_text)
    except LeaseLost:
        db.rollback()
        return runs.finish_run(db.get(SyncRun, run_id), error=in_turkish(
            _l("Another importer took over this store; this run stopped.")))
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        db.rollback()
        log.warning("store %s: order import %s failed: %s", store_id, run_id, exc)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    except Exception as exc:
        db.rollback()
        log.exception("store %s: order import %s failed", store_id, run_id)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    finally:
        try:
            runs.release_lease(store_id, KIND, token)
        except Exception:  # the database itself may be the failure; the lease then expires
            db.rollback()
            log.warning("store %s: could not release the orders lease", store_id)


class LeaseLost(RuntimeError):
    pass


def import_one(store_id: int, amazon_order_id: str, *, trigger: str = "manual") -> SyncRun:
    """"Amazon sipariş numarasıyla aktar": one getOrder call, the same mapping and rules."""
    amazon_order_id = (amazon_order_id or "").strip()
    if not ORDER_ID.match(amazon_order_id):
        return _skipped_run(store_id, trigger, _l(
            "“%(number)s” is not an Amazon order number; it looks like 407-1234567-1234567.",
            number=amazon_order_id[:40]))
    begun = _begin(store_id, trigger)
    if begun.token is None:
        return begun.run
    db = session()
    run_id, token = begun.run.id, begun.token
    store = db.get(Store, store_id)
    try:
        with calling_amazon(store) as client:
            data = client.get_order(amazon_order_id, included_data=list(INCLUDED_DATA))
        order = data.get("order")
        if not order:
            raise NotFoundError("empty getOrder response", operation="getOrder")
        apply_orders(store_id, [order], run_id=run_id, cursor=None, waits=0, count_page=False)
        return runs.finish_run(db.get(SyncRun, run_id))
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        db.rollback()
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    except Exception as exc:
        db.rollback()
        log.exception("store %s: importing one order failed", store_id)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    finally:
        runs.release_lease(store_id, KIND, token)


# --- one page, one transaction -----------------------------------------------------------

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


# --- personal data ---------------------------------------------------------------------

def purge_personal_data() -> int:
    """Empty buyers' name, address and phone 30 days after the order shipped or was cancelled.

    The order keeps its non-personal data (number, items, amounts, status). The
    shop adapter's ``forget_customer(number)``, when it has one, pseudonymizes
    the shop's copy in the same transaction. Returns how many orders were purged.
    """
    db = session()
    st = state()
    now = st.clock.now()
    cutoff = now - timedelta(days=PERSONAL_DATA_DAYS)
    forget = getattr(st.shop, FORGET_CUSTOMER, None)
    purged = 0
    while True:
        batch = list(db.scalars(
            select(ImportedOrder)
            .where(ImportedOrder.closed_at.is_not(None), ImportedOrder.closed_at <= cutoff,
                   ImportedOrder.personal_data_purged_at.is_(None))
            .order_by(ImportedOrder.id).limit(500)))
        if not batch:
            break
        for row in batch:
            row.buyer_name_encrypted = row.address_encrypted = row.phone_encrypted = None
            row.personal_data_purged_at = now
            if forget is not None and row.shop_number:
                forget(row.shop_number)
        db.commit()
        purged += len(batch)
    if purged:
        log.info("purged buyers' personal data of %s order(s)", purged)
    return purged


def personal_data(row: ImportedOrder) -> dict | None:
    """The decrypted buyer data of one order (for the shop's own use), None once purged."""
    if row.personal_data_purged_at is not None:
        return None
    cipher = state().cipher
    address = cipher.decrypt(row.address_encrypted)
    return {"name": cipher.decrypt(row.buyer_name_encrypted),
            "address": json.loads(address) if address else None,
            "phone": cipher.decrypt(row.phone_encrypted)}


# --- what the pages show ---------------------------------------------------------------

def current_run(store_id: int) -> SyncRun | None:
    return session().scalar(
        select(SyncRun).where(SyncRun.store_id == store_id, SyncRun.kind == KIND, SyncRun.status == "running")
        .order_by(SyncRun.id.desc()).limit(1))


def skipped_orders(store_id: int, limit: int = 50) -> list[ImportedOrder]:
    return list(session().scalars(
        select(ImportedOrder).where(ImportedOrder.store_id == store_id, ImportedOrder.state == "skipped")
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


def order_totals(store_id: int) -> dict:
    db = session()
    rows = db.execute(select(ImportedOrder.state, func.count()).where(ImportedOrder.store_id == store_id)
                      .group_by(ImportedOrder.state))
    return {state_: n for state_, n in rows}
