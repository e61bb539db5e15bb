"""Order import runs: the button, the scheduler, the CLI, and one order by its Amazon number.

How "exactly once" holds:

* One database transaction per page of searchOrders (see apply_page), the
  store's cursor included.
* One importer per store at a time (the "orders" lease); a lease left behind by
  a killed process on this machine is taken over at once.

The cursor is lastUpdatedAfter for the next run. It moves only forward, only
in the transaction that commits a page, and the next run starts a few minutes
before it (clock skew between Amazon's servers, orders updated in the same
second as the last one seen). A run cut off while re-reading that overlap
(a restart, Amazon's rate limit after its burst of 20 pages) leaves how far it
got (resume_after), and the next run continues from there: however many pages
the overlap holds, every run moves forward.

What Amazon sends is not trusted to be well formed: an order the shop must not
take is set aside (apply_page) and asked for again with getOrder at the start
of the next run; a page token Amazon repeats stops the run instead of looping.
An order in a fulfillment status the plugin does not know (one Amazon added)
is set aside too, and the cursor stops at its lastUpdatedTime: every later run
reads it again with searchOrders until its status is one the plugin knows, so
it cannot be passed over whatever the getOrder retries meet.
A database error is logged by its class only: its text carries the row's
values (buyers' names, addresses, phones).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...i18n import in_turkish
from ...i18n import lazy_gettext as _l
from ...logsafe import log_failure
from ...models import ImportedOrder, Store, SyncRun
from ...spapi import AuthorizationRevokedError, NotFoundError, SPAPIError
from .. import messages, runs, session
from ..amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync
from .apply_page import apply_orders
from .mapping import INCLUDED_DATA, ORDER_ID, STATUS_MAP, parse_time
from .queries import KIND, current_run
from .settings import settings_for

log = logging.getLogger("amazon_tr")

#: The next run asks for orders updated since (cursor − overlap).
OVERLAP = timedelta(minutes=5)
#: A store's first import reaches this far back.
FIRST_IMPORT_DAYS = 30
#: Orders set aside on earlier runs that one run asks Amazon for again (getOrder: 0.5/s, burst 30).
RETRY_SET_ASIDE = 20
#: "Import by number" is a button: someone waits for it, so throttling and
#: retries are bounded to seconds (a longer wait fails with ThrottledError).
BUTTON_CLIENT_OPTIONS = {"max_retries": 4, "backoff_cap": 8.0, "max_wait": 10.0, "timeout": (5, 15)}


class LeaseLost(RuntimeError):
    pass


class RepeatedPageToken(RuntimeError):
    """Amazon answered with a page token it had already given in this run: following it never ends."""


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
    return messages.explain(exc, "orders")


@dataclass
class _Begun:
    run: SyncRun
    token: str | None  # None: nothing to do, ``run`` is a transient note saying why


def _skipped_run(store_id: int, trigger: str, reason) -> SyncRun:
    """A run that never started (not saved): passive, unauthorized, import off or busy."""
    now = runs.now()
    return SyncRun(store_id=store_id, kind=KIND, trigger=trigger, status="skipped", started_at=now,
                   finished_at=now, counts_json="{}", error=in_turkish(reason))


def _lookup_failed(store_id: int, trigger: str, run_id: int, error: str) -> SyncRun:
    """The run of a lookup that found nothing, removed again; answered unsaved as "not_found"."""
    db = session()
    saved = db.get(SyncRun, run_id)
    if saved is not None:
        db.delete(saved)
        db.commit()
    now = runs.now()
    return SyncRun(store_id=store_id, kind=KIND, trigger=trigger, status="not_found", started_at=now,
                   finished_at=now, counts_json="{}", error=error)


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


def _time_of(data, key: str) -> datetime | None:
    """A time Amazon sent, or None when it is missing or no valid date-time (that order is set aside)."""
    value = data.get(key) if isinstance(data, dict) else None
    try:
        return parse_time(value) if isinstance(value, str) else None
    except (ValueError, OverflowError):
        return None


def _held_at(orders: list) -> datetime | None:
    """The earliest lastUpdatedTime of the page's orders in a status the plugin does not know, or None."""
    held = None
    for order in orders:
        fulfillment = order.get("fulfillment") if isinstance(order, dict) else None
        status = fulfillment.get("fulfillmentStatus") if isinstance(fulfillment, dict) else None
        if isinstance(status, str) and status not in STATUS_MAP:
            moment = _time_of(order, "lastUpdatedTime")
            if moment is not None and (held is None or moment < held):
                held = moment
    return held


def _since(settings) -> datetime:
    """lastUpdatedAfter of a run: the overlap before the cursor, or where an earlier run's re-read of it got."""
    if settings.cursor is None:
        return runs.now() - timedelta(days=FIRST_IMPORT_DAYS)
    since = settings.cursor - OVERLAP
    if settings.resume_after is not None and since < settings.resume_after <= settings.cursor:
        since = settings.resume_after
    return since


def _retry_set_aside(store_id: int, run_id: int, client) -> None:
    """Ask Amazon again for orders set aside on earlier runs (getOrder): corrected ones import now.

    Never stops the run: an order Amazon no longer finds, or any failure but
    a revoked grant, leaves the rest for the next run.
    """
    ids = list(session().scalars(
        select(ImportedOrder.amazon_order_id)
        .where(ImportedOrder.store_id == store_id, ImportedOrder.set_aside_reason.is_not(None))
        .order_by(ImportedOrder.updated_at, ImportedOrder.id).limit(RETRY_SET_ASIDE)))
    for amazon_order_id in ids:
        try:
            order = client.get_order(amazon_order_id, included_data=list(INCLUDED_DATA)).get("order")
        except NotFoundError:
            continue
        except AuthorizationRevokedError:
            raise
        except SPAPIError as exc:
            log.info("store %s: set-aside orders are asked for again next run (%s)", store_id, type(exc).__name__)
            return
        if order:
            apply_orders(store_id, [order], run_id=run_id, cursor=None, waits=0, count_page=False)


def _execute(store_id: int, run_id: int, token: str, *, since: datetime | None = None, on_page=None) -> SyncRun:
    db = session()
    store = db.get(Store, store_id)
    run = db.get(SyncRun, run_id)
    cursor_text = None
    try:
        settings = settings_for(store_id)
        if settings.cursor is None and settings.backfill_before is None:
            # The store's first import: what it finds already closed was counted by the seller (apply_page).
            settings.backfill_before = run.started_at
        rereading = since is None and settings.cursor is not None
        if since is None:
            since = _since(settings)
        run.cursor = _iso(since)
        db.commit()
        with calling_amazon(store) as client:
            _retry_set_aside(store_id, run_id, client)
            stats = client.stats
            seen_pacing, seen_throttled = stats.pacing_seconds, stats.throttled
            previous_max = None
            ascending = True
            upper = None
            held = None  # the cursor never passes an order in an unknown status
            tokens: set[str] = set()
            pages = client.search_orders(last_updated_after=since, included_data=list(INCLUDED_DATA),
                                         max_results=100)
            for page in pages:
                orders = page.get("orders") or []
                if not isinstance(orders, list):
                    orders = []
                next_token = (page.get("pagination") or {}).get("nextToken")
                if next_token and next_token in tokens:
                    # The page is applied (each order is checked on its own), but the cursor stays:
                    # what Amazon's paging skipped is fetched again from there.
                    apply_orders(store_id, orders, run_id=run_id, cursor=None, waits=0)
                    raise RepeatedPageToken()
                if next_token:
                    tokens.add(next_token)
                waits = int(stats.throttled - seen_throttled) + (1 if stats.pacing_seconds > seen_pacing else 0)
                seen_pacing, seen_throttled = stats.pacing_seconds, stats.throttled
                times = [t for t in (_time_of(o, "lastUpdatedTime") for o in orders) if t is not None]
                if times and previous_max is not None and min(times) < previous_max:
                    ascending = False  # Amazon promises no order: only the final bound is safe then
                if times:
                    previous_max = max(times + ([previous_max] if previous_max else []))
                last_page = not next_token
                upper = _time_of(page, "lastUpdatedBefore") or upper
                if last_page:
                    advance_to = upper or previous_max
                else:
                    advance_to = previous_max if ascending else None
                page_held = _held_at(orders)
                if page_held is not None and (held is None or page_held < held):
                    held = page_held
                if held is not None and advance_to is not None and advance_to > held:
                    advance_to = held
                apply_orders(store_id, orders, run_id=run_id, cursor=advance_to, waits=waits, rereading=rereading)
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
    except RepeatedPageToken:
        db.rollback()
        log.warning("store %s: order import %s stopped: Amazon repeated a page token", store_id, run_id)
        return runs.finish_run(db.get(SyncRun, run_id), error=in_turkish(_l(
            "Amazon sent the same page of orders twice (a repeated page token); the import stopped so that it "
            "does not run in circles. The next import continues from the last saved point.")))
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        db.rollback()
        log.warning("store %s: order import %s failed: %s", store_id, run_id, exc)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    except Exception as exc:
        db.rollback()
        log_failure(log, "store %s: order import %s failed", store_id, run_id, exc=exc)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    finally:
        try:
            runs.release_lease(store_id, KIND, token)
        except Exception:  # the database itself may be the failure; the lease then expires
            db.rollback()
            log.warning("store %s: could not release the orders lease", store_id)


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
        with calling_amazon(store, **BUTTON_CLIENT_OPTIONS) as client:
            data = client.get_order(amazon_order_id, included_data=list(INCLUDED_DATA))
        order = data.get("order")
        if not order:
            raise NotFoundError("empty getOrder response", operation="getOrder")
        counts = apply_orders(store_id, [order], run_id=run_id, cursor=None, waits=0, count_page=False)
        reason = None
        if counts.get("invalid"):
            reason = db.scalar(select(ImportedOrder.set_aside_reason).where(
                ImportedOrder.store_id == store_id, ImportedOrder.amazon_order_id == amazon_order_id))
            reason = reason or in_turkish(_l("The order from Amazon has an unexpected shape (%(field)s).",
                                             field="orderId"))
        return runs.finish_run(db.get(SyncRun, run_id), error=reason)
    except NotFoundError as exc:
        # Amazon has no such order for this seller: a lookup that found nothing, not a failed
        # import, so it leaves no run in the history (issue 17 §3); the page shows it by the form.
        db.rollback()
        return _lookup_failed(store_id, trigger, run_id, describe_error(exc))
    except (SPAPIError, NotAuthorized, NotConfigured) as exc:
        db.rollback()
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    except Exception as exc:
        db.rollback()
        log_failure(log, "store %s: importing one order failed", store_id, exc=exc)
        return runs.finish_run(db.get(SyncRun, run_id), error=describe_error(exc))
    finally:
        runs.release_lease(store_id, KIND, token)
