"""One push for one store: its client, its settings as rules, and the counts its run reports.

The steps of a push are functions taking a Pusher (changes, linking, sending,
feed_submit, feed_poll); push.py runs them in order.
"""
from __future__ import annotations

from datetime import datetime

from ...models import Store, SyncRun
from .. import session, state
from . import values
from .settings import get_settings


class Pusher:
    def __init__(self, store: Store, client, run: SyncRun | None, *, max_wait: float | None = None) -> None:
        self.store = store
        self.client = client
        self.run = run
        # seconds the push may sleep on Amazon's account; None: as long as it takes (not a button)
        self.max_wait = max_wait
        self.db = session()
        self.clock = state().clock
        self.settings = get_settings(store.id)
        self.rules = values.Rules.from_settings(self.settings)
        self.parts = values.TYPE_PARTS[store.auto_update_type]
        self.counts: dict[str, int] = {}
        self.schema_cache = state().extras.setdefault("listing_schema_cache", {})
        # SKUs of feeds given up as never created, for a waiting push to send again
        self.lost_skus: set[str] = set()
        # SKUs held back because the store's previous feed still waits at Amazon (sending.py)
        self.deferred_skus: set[str] = set()

    def count(self, **amounts: int) -> None:
        for key, amount in amounts.items():
            if amount:
                self.counts[key] = self.counts.get(key, 0) + amount

    def now(self) -> datetime:
        return self.clock.now()
