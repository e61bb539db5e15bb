"""A stock change in the shop reaches Amazon in seconds: the adapter's signal, debounced.

The shop calls ``listener(skus)`` after stock changed (an order, a return, an
edit). Changes arriving within ``delay`` seconds of the first are pushed together
(one checkout often touches several SKUs), through the same push_products every
other trigger uses, for every store that sends stock. :func:`subscribe` hands the
listener to the shop once per application, from ``init_app``.
"""
from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select

from ...logsafe import log_failure
from ...config import setting
from ...models import Store
from ...state import maybe_state, state
from .. import session
from ..runs import LeaseBusy
from .push import push_products
from .settings import blocked_reason

log = logging.getLogger("amazon_tr")

DEFAULT_DELAY = 1.0
RETRY_DELAY = 2.0
STOCK_TYPES = ("all", "stock", "stock_price")


class Debounce:
    """The timing alone, on any clock: ``add`` SKUs, ``take_due`` them once the window closed."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.skus: dict[str, float] = {}  # sku -> when it first changed
        self.deadline: float | None = None

    def add(self, skus, now: float, delay: float | None = None) -> float:
        for sku in skus:
            self.skus.setdefault(sku, now)
        if self.deadline is None:
            self.deadline = now + (self.delay if delay is None else delay)
        return self.deadline

    def take_due(self, now: float) -> dict[str, float]:
        if self.deadline is None or now < self.deadline:
            return {}
        due, self.skus, self.deadline = self.skus, {}, None
        return due


class StockSignal:
    """Per application: collects SKUs from the shop's signal and pushes them from a worker thread."""

    def __init__(self, app, delay: float = DEFAULT_DELAY) -> None:
        self.app = app
        self.debounce = Debounce(delay)
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None
        self.pushed = 0  # store pushes this signal has made (for the benchmarks and the log)

    def __call__(self, skus) -> None:
        skus = [s for s in skus if s]
        if not skus:
            return
        with self.cond:
            self.debounce.add(skus, self._clock().time())
            self._ensure_thread()
            self.cond.notify()

    def _clock(self):
        return state(self.app).clock

    def _ensure_thread(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._loop, name="amazon_tr-stock", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        while True:
            with self.cond:
                while True:
                    now = self._clock().time()
                    due = self.debounce.take_due(now)
                    if due:
                        break
                    deadline = self.debounce.deadline
                    # real seconds: the signal runs with the shop, on the wall clock
                    self.cond.wait(timeout=None if deadline is None else max(0.01, deadline - now))
                    if deadline is not None and self._clock().time() < deadline:
                        # a simulated clock does not move by itself: do not spin on it
                        time.sleep(0.01)
            self.flush(list(due))

    def flush(self, skus: list[str]) -> None:
        with self.app.app_context():
            try:
                self.pushed += push_stock(skus, retry=lambda left: self._retry(left))
            except Exception as exc:
                log_failure(log, "pushing a stock change to Amazon failed", exc=exc)
            finally:
                state(self.app).db.session.remove()

    def _retry(self, skus) -> None:
        with self.cond:
            self.debounce.add(skus, self._clock().time(), RETRY_DELAY)
            self.cond.notify()


def push_stock(skus, retry=None) -> int:
    """Push these SKUs for every store that sends stock; returns how many stores were pushed."""
    pushed = 0
    busy = False
    for store in session().scalars(select(Store).where(Store.active.is_(True), Store.product_update.is_(True),
                                                       Store.auto_update_type.in_(STOCK_TYPES))):
        if blocked_reason(store):
            continue
        try:
            push_products(store.id, trigger="stock", skus=list(skus))
            pushed += 1
        except LeaseBusy:
            busy = True
    if busy and retry is not None:
        retry(skus)  # a full push holds the store: try these again shortly
    return pushed


def subscribe(app) -> StockSignal | None:
    """Hand the shop a listener for its stock changes, once per application (called by init_app)."""
    state = maybe_state(app)
    if state is None or "stock_signal" in state.extras:
        return state.extras.get("stock_signal") if state else None
    delay = float(setting("AMAZON_TR_STOCK_DEBOUNCE_SECONDS", app))
    signal = StockSignal(app, delay)
    subscribe_fn = getattr(state.shop, "subscribe_stock_changes", None)
    if subscribe_fn is None:
        log.info("the shop adapter has no subscribe_stock_changes: stock goes with the scheduled pushes only")
        return None
    subscribe_fn(signal)
    state.extras["stock_signal"] = signal
    return signal
