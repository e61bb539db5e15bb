"""The entry points every trigger calls: a push of the store's products, a poll of its feeds in
flight, and the short push behind a button."""
from __future__ import annotations

import logging

from sqlalchemy import select

from ...i18n import gettext as _
from ...models import ListingFeed, Store, SyncRun
from ...spapi import SPAPIError, ThrottledError
from .. import messages, session, state
from ..amazon import NotAuthorized, NotConfigured, calling_amazon
from ..runs import LeaseBusy, acquire_lease, finish_run, in_background, progress, release_lease, start_run
from . import inventory, status
from .feed_poll import FINAL_STATUSES, open_feed_count, poll
from .feed_submit import feed_waiting
from .pusher import Pusher
from .sending import send_changes
from .settings import blocked_reason

log = logging.getLogger("amazon_tr")

LEASE_KIND = "products"
FEED_POLL_SECONDS = 15.0
FEED_WAIT_LIMIT_SECONDS = 3 * 3600
#: Held-back SKUs a waiting push sends again by name; more, and it detects changes over the whole catalog.
DEFERRED_BY_NAME = 10000
#: Someone waits at a button: a few seconds of Amazon's rate limits and retries at most;
#: a push that would wait longer goes on in the background runner.
BUTTON_CLIENT_OPTIONS = {"max_retries": 2, "backoff_cap": 5.0, "max_wait": 5.0}


def find_store(store_id: int) -> Store:
    store = session().get(Store, store_id)
    if store is None:
        raise LookupError(f"no Amazon store {store_id}")
    return store


def push_products(store_id: int, *, trigger: str = "manual", skus=None, wait: bool = False,
                  on_poll=None, client_options: dict | None = None) -> SyncRun:
    """Send the store's products to Amazon as its auto-update type says; records and returns a SyncRun.

    No listing call at all when the store is passive, unauthorized or its product
    update is off (the run says why). Raises LeaseBusy when another push of the
    store is running. ``skus`` limits the push to those SKUs (one product's
    "şimdi gönder", the stock-change signal). With ``wait`` the push polls its
    feeds until Amazon has processed them. ``client_options`` go to the SP-API
    client; with a ``max_wait`` among them, a push Amazon's rate limits would hold
    longer stops and raises ThrottledError (see :func:`push_from_button`).
    """
    options = client_options or {}
    store = find_store(store_id)
    reason = blocked_reason(store)
    if reason is None and skus is not None and inventory.read_at(store_id) is None:
        # a push of a few SKUs does not read the inventory; a whole push reads it first
        reason = "inventory_unread"
    if reason:
        run = start_run(store_id, LEASE_KIND, trigger=trigger, cursor=f"skipped:{reason}")
        run.counts = {"calls": 0}
        return finish_run(run)
    token = acquire_lease(store_id, LEASE_KIND)
    try:
        run = start_run(store_id, LEASE_KIND, trigger=trigger)
        pusher = None
        try:
            with calling_amazon(store, **options) as client:
                pusher = Pusher(store, client, run, max_wait=options.get("max_wait"))
                poll(pusher)
                if skus is None:
                    # what the seller has on Amazon now: whole the first time, then what changed
                    inventory.read_pass(store, client, run)
                send_changes(pusher, skus)
                if wait:
                    wait_for_feeds(pusher, on_poll)
                pusher.count(calls=client.stats.total_calls)
            progress(run, commit=False, **pusher.counts)
            return finish_run(run)
        except (SPAPIError, NotAuthorized, NotConfigured) as exc:
            session().rollback()
            if pusher is not None:
                pusher.count(calls=pusher.client.stats.total_calls)
                progress(run, commit=False, **pusher.counts)
            if isinstance(exc, ThrottledError) and options.get("max_wait") is not None:
                finish_run(run, error=_("Amazon's request limit would keep you waiting; the update goes on in the "
                                        "background."))
                raise
            log.warning("product push of store %s failed: %s", store_id, exc)
            # what happened in Turkish, Amazon's own words only when Turkish, and the request id
            return finish_run(run, error=_("Amazon refused the product update: %(error)s",
                                           error=messages.explain(exc, "products")))
        except Exception:
            session().rollback()
            finish_run(run, error=_("The product update stopped because of an unexpected error."))
            raise
    finally:
        release_lease(store_id, LEASE_KIND, token)


def wait_for_feeds(pusher: Pusher, on_poll=None) -> None:
    """Poll until every open feed is processed (the CLI and the bench wait; the buttons do not).

    SKUs held back while the store's previous feed waited at Amazon go as soon as it has started."""
    waited = 0.0
    while open_feed_count(pusher) or pusher.deferred_skus:
        if pusher.deferred_skus and not feed_waiting(pusher):
            skus, pusher.deferred_skus = sorted(pusher.deferred_skus), set()
            # (a whole-catalog detection is cheaper than an IN (...) of tens of thousands of SKUs)
            send_changes(pusher, skus if len(skus) <= DEFERRED_BY_NAME else None)
            continue
        if waited >= FEED_WAIT_LIMIT_SECONDS:
            break
        pusher.clock.sleep(FEED_POLL_SECONDS)
        waited += FEED_POLL_SECONDS
        poll(pusher)
        if pusher.lost_skus:
            skus, pusher.lost_skus = sorted(pusher.lost_skus), set()
            send_changes(pusher, skus)
        if on_poll:
            on_poll(pusher)


def poll_feeds(store_id: int) -> int:
    """Ask Amazon about the store's feeds in flight and write their reports to the links, then read back
    Amazon's own status of the SKUs it has accepted (status.py); returns how many feeds finished."""
    store = find_store(store_id)
    if blocked_reason(store) in ("passive", "unauthorized"):
        return 0
    has_open = session().scalar(select(ListingFeed.id).where(
        ListingFeed.store_id == store_id, ListingFeed.status.notin_(FINAL_STATUSES)).limit(1))
    if has_open is None and not status.has_due(store_id, state().clock.now()):
        return 0
    try:
        token = acquire_lease(store_id, LEASE_KIND)
    except LeaseBusy:
        return 0  # the push holding it polls first
    try:
        with calling_amazon(store) as client:
            pusher = Pusher(store, client, None)
            finished = poll(pusher) if has_open is not None else 0
            status.read_back(store_id, client, pusher.now())
            return finished
    finally:
        release_lease(store_id, LEASE_KIND, token)


def push_from_button(store_id: int, skus: list[str]) -> SyncRun | None:
    """A button's push of a few SKUs, answered within seconds.

    Returns the finished run, or None when Amazon's rate limits would have kept
    the admin waiting: the push then goes on in the background runner. Raises
    LeaseBusy when another push of the store is running.
    """
    try:
        return push_products(store_id, trigger="manual", skus=skus, client_options=BUTTON_CLIENT_OPTIONS)
    except ThrottledError:
        start_push(store_id, skus=skus)
        return None


def start_push(store_id: int, *, trigger: str = "manual", skus=None):
    """Push in the background runner; the page polls the store's latest run."""
    # records: a push that dies before it records its run still leaves a failed one for the page
    return in_background(_push_unless_busy, store_id, records=(store_id, LEASE_KIND), trigger=trigger, skus=skus)


def _push_unless_busy(store_id: int, **options) -> SyncRun | None:
    try:
        return push_products(store_id, **options)
    except LeaseBusy:
        return None  # a push of this store is already running; its result shows on the page
