"""Everything the local Amazon remembers, behind one lock.

Tests in the same process drive it directly (inject faults, add orders, move
time); the control API under /_sandbox/ does the same over HTTP.
"""
from __future__ import annotations

import copy
import random
import secrets
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from flask_amazon_tr.clock import SimulatedClock, SystemClock

from ..spapi.ratelimit import TokenBucket
from . import seed as seed_mod

ACCESS_TOKEN_TTL = 3600
AUTH_CODE_TTL = 300
CONSENT_NONCE_TTL = 1800

FAULT_KINDS = {"throttle", "500", "503", "slow", "drop", "malformed", "revoke", "expire"}
#: Outcomes a test can force on the next feeds: "fatal" ends processing FATAL,
#: "stuck" keeps the feed IN_PROGRESS for ever (Amazon's worst case), "queued" keeps it
#: IN_QUEUE ``seconds`` longer (for ever without them) and "feed_error" ends it DONE with a
#: report whose only issue has no messageId (see feed_processing.py).
FEED_OUTCOMES = {"fatal", "stuck", "queued", "feed_error"}
#: Document URLs are not SP-API operations: a "*" fault leaves them alone.
DOCUMENT_OPERATIONS = {"uploadFeedDocument", "downloadFeedDocument"}


@dataclass
class Fault:
    operation: str
    kind: str
    count: int
    seconds: float = 0.0


@dataclass
class FeedTiming:
    """Simulated seconds from createFeed to each processing stage."""
    start_after: float = 5.0
    done_after: float = 30.0


class SandboxState:
    def __init__(self, *, clock: Any = None, seed: bool = True) -> None:
        self.clock = clock if clock is not None else SystemClock()
        self.lock = threading.RLock()
        self.feed_timing = FeedTiming()
        # simulated seconds Amazon takes to process an ACCEPTED listing submission (listings_view.visible)
        self.listing_processing_seconds = 0.0
        self.rate_limits_enabled = True
        self._seed = seed
        self._init_data()

    # -- lifecycle -------------------------------------------------------------
    def _init_data(self) -> None:
        with self.lock:
            self.apps: dict[str, dict] = {
                seed_mod.SANDBOX_APP_ID: {
                    "client_id": seed_mod.SANDBOX_CLIENT_ID,
                    "client_secret": seed_mod.SANDBOX_CLIENT_SECRET,
                    "redirect_uris": [],
                    "name": "Anadolu Çarşı Amazon Eklentisi (sandbox)",
                }
            }
            self.sellers: dict[str, dict] = copy.deepcopy(seed_mod.SELLERS)
            self.consent_nonces: dict[str, dict] = {}
            self.amazon_states: dict[str, dict] = {}  # Manage Your Apps → Log-in URI (seller_central.py)
            self.auth_codes: dict[str, dict] = {}
            self.refresh_tokens: dict[str, dict] = {}
            self.access_tokens: dict[str, dict] = {}
            self.orders: dict[str, dict] = {}
            self.catalog: dict[str, dict] = {}
            self.listings: dict[str, dict[str, dict]] = {}
            self.feeds: dict[str, dict] = {}
            self.documents: dict[str, dict] = {}
            self.pagination_tokens: dict[str, dict] = {}
            self.faults: list[Fault] = []
            self.feed_outcomes: list[tuple[str, float]] = []
            # issues armed to appear on listings after ACCEPTED (listings_rules.py)
            self.armed_issues: list[dict] = []
            # bumped on every listing write, so searchListingsItems can cache its sorted view
            self.listings_version = 0
            self.search_cache: dict = {}
            self._ean_index: dict[str, str] = {}
            self._ean_index_for = -1  # the catalog size the index was built for
            self.buckets: dict[tuple[str, str], TokenBucket] = {}
            self.requests: list[dict] = []
            self.response_problems: list[dict] = []
            self._counts: Counter = Counter()
            self._rng = random.Random(7)
            if self._seed:
                seed_mod.seed_all(self)

    def reset(self) -> None:
        """Forget everything that happened and reseed."""
        self._init_data()

    # -- time ----------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock.now()

    def now_ts(self) -> float:
        return self.clock.time()

    def advance(self, seconds: float) -> None:
        if not isinstance(self.clock, SimulatedClock):
            raise TypeError("advance() needs a SimulatedClock")
        self.clock.advance(seconds)

    # -- ids -----------------------------------------------------------------
    @staticmethod
    def new_secret(prefix: str = "", nbytes: int = 24) -> str:
        return prefix + secrets.token_urlsafe(nbytes)

    def new_id(self, digits: int = 11) -> str:
        with self.lock:
            return str(self._rng.randint(10 ** (digits - 1), 10 ** digits - 1))

    # -- apps and sellers ------------------------------------------------------
    def register_app(self, application_id: str, *, client_id: str, client_secret: str,
                     redirect_uris: list[str] | None = None, name: str = "") -> None:
        with self.lock:
            self.apps[application_id] = {"client_id": client_id, "client_secret": client_secret,
                                         "redirect_uris": list(redirect_uris or []),
                                         "name": name or application_id}

    def app_for_client(self, client_id: str) -> tuple[str, dict] | None:
        for app_id, app in self.apps.items():
            if app["client_id"] == client_id:
                return app_id, app
        return None

    def add_seller(self, seller_id: str, *, name: str, marketplaces: list[str],
                   roles: frozenset[str] = seed_mod.ALL_ROLES) -> None:
        with self.lock:
            self.sellers[seller_id] = {"name": name, "marketplaces": list(marketplaces),
                                       "roles": frozenset(roles)}

    # -- OAuth -----------------------------------------------------------------
    def issue_auth_code(self, *, seller_id: str, application_id: str,
                        redirect_uri: str | None) -> str:
        code = self.new_secret("ANsbx", 15)
        with self.lock:
            self.auth_codes[code] = {
                "seller_id": seller_id, "application_id": application_id,
                "client_id": self.apps[application_id]["client_id"],
                "redirect_uri": redirect_uri, "expires": self.now_ts() + AUTH_CODE_TTL,
                "used": False,
            }
        return code

    def issue_refresh_token(self, *, seller_id: str, client_id: str) -> str:
        token = self.new_secret("Atzr|", 48)
        with self.lock:
            self.refresh_tokens[token] = {"seller_id": seller_id, "client_id": client_id,
                                          "revoked": False, "issued": self.now_ts()}
        return token

    def issue_access_token(self, *, refresh_token: str) -> str:
        token = self.new_secret("Atza|", 48)
        with self.lock:
            rt = self.refresh_tokens[refresh_token]
            self.access_tokens[token] = {"seller_id": rt["seller_id"], "refresh_token": refresh_token,
                                         "expires": self.now_ts() + ACCESS_TOKEN_TTL}
        return token

    def seller_for_access_token(self, token: str | None) -> str | None:
        if not token:
            return None
        with self.lock:
            at = self.access_tokens.get(token)
            if at is None or at["expires"] <= self.now_ts():
                return None
            rt = self.refresh_tokens.get(at["refresh_token"])
            if rt is None or rt["revoked"]:
                return None
            return at["seller_id"]

    def authorize(self, seller_id: str = seed_mod.TR_SELLER_ID,
                  client_id: str = seed_mod.SANDBOX_CLIENT_ID) -> dict:
        """Shortcut for tests: a refresh and an access token, as after consent."""
        rt = self.issue_refresh_token(seller_id=seller_id, client_id=client_id)
        return {"refresh_token": rt, "access_token": self.issue_access_token(refresh_token=rt)}

    def revoke(self, *, refresh_token: str | None = None, seller_id: str | None = None) -> int:
        """Revoke refresh tokens (and so their access tokens); returns how many."""
        if refresh_token is None and seller_id is None:
            raise ValueError("give refresh_token or seller_id")
        n = 0
        with self.lock:
            for token, rt in self.refresh_tokens.items():
                if (refresh_token is not None and token == refresh_token) or \
                        (seller_id is not None and rt["seller_id"] == seller_id):
                    if not rt["revoked"]:
                        rt["revoked"] = True
                        n += 1
        return n

    def expire_access_tokens(self) -> None:
        with self.lock:
            for at in self.access_tokens.values():
                at["expires"] = self.now_ts()

    # -- faults --------------------------------------------------------------
    def inject_fault(self, operation: str = "*", kind: str = "500", count: int = 1,
                     seconds: float = 0.0) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {sorted(FAULT_KINDS)}")
        if kind == "slow" and seconds <= 0:
            seconds = 5.0
        fault = Fault(operation=operation, kind=kind, count=int(count), seconds=float(seconds))
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, operation: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                # "*" is for SP-API operations; the token endpoint is only hit by name
                if fault.count > 0 and (fault.operation == operation or
                                        (fault.operation == "*" and operation != "lwaToken"
                                         and operation not in DOCUMENT_OPERATIONS)):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.feed_outcomes.clear()

    def force_feed_outcome(self, outcome: str, count: int = 1, seconds: float = 0.0) -> None:
        """The next ``count`` feeds created end FATAL ("fatal"), never leave IN_PROGRESS
        ("stuck"), wait ``seconds`` more IN_QUEUE ("queued"; for ever with 0) or end DONE with a
        message-less error that fails the whole feed ("feed_error")."""
        if outcome not in FEED_OUTCOMES:
            raise ValueError(f"unknown feed outcome {outcome!r}; use one of {sorted(FEED_OUTCOMES)}")
        if float(seconds) < 0:
            raise ValueError("seconds must not be negative")
        with self.lock:
            self.feed_outcomes.extend([(outcome, float(seconds))] * int(count))

    def take_feed_outcome(self) -> tuple[str, float] | None:
        with self.lock:
            return self.feed_outcomes.pop(0) if self.feed_outcomes else None

    # -- rate limits -----------------------------------------------------------
    def take_token(self, operation: str, seller_id: str, rate: float, burst: int) -> bool:
        if not self.rate_limits_enabled:
            return True
        now = self.clock.monotonic()
        with self.lock:
            key = (operation, seller_id)
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(rate, burst, now)
            return bucket.take(now)

    # -- request log -----------------------------------------------------------
    def log_request(self, entry: dict) -> None:
        with self.lock:
            self.requests.append(entry)
            self._counts[entry.get("operation")] += 1

    def count(self, operation: str | None = None) -> int:
        with self.lock:
            if operation is None:
                return sum(self._counts.values())
            return self._counts.get(operation, 0)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return dict(self._counts)

    def clear_requests(self) -> None:
        with self.lock:
            self.requests.clear()
            self._counts.clear()

    # -- orders ----------------------------------------------------------------
    def add_order(self, order: dict | None = None, *, seller_id: str = seed_mod.TR_SELLER_ID,
                  status: str = "UNSHIPPED", fulfilled_by: str = "MERCHANT",
                  created: datetime | None = None) -> dict:
        """Add an order; ``order`` may be a full Orders 2026-01-01 order or a
        partial one laid over a generated Turkish order."""
        with self.lock:
            rng = random.Random(self._rng.random())
            now = self.now()
            base = seed_mod.make_order(
                rng, now=now, catalog=sorted(self.catalog.values(), key=lambda x: x["asin"]) or
                [{"asin": "B0TR000000", "title": "Ürün", "sku": "DEMO-0000", "price": "10.00"}],
                status=status, fulfilled_by=fulfilled_by, created=created or now,
                seller_id=seller_id)
            base["lastUpdatedTime"] = base["createdTime"]
            if order:
                base.update(copy.deepcopy(order))
            base["_sellerId"] = order.get("_sellerId", seller_id) if order else seller_id
            self.orders[base["orderId"]] = base
            return copy.deepcopy(base)

    def update_order(self, order_id: str, changes: dict) -> dict:
        """Change an order the way Amazon would, moving lastUpdatedTime.

        ``changes`` may hold ``fulfillmentStatus`` (a shortcut) and any
        top-level order fields.
        """
        with self.lock:
            order = self.orders[order_id]
            changes = dict(changes)
            status = changes.pop("fulfillmentStatus", None)
            if status is not None:
                if status not in seed_mod.FULFILLMENT_STATUSES:
                    raise ValueError(f"unknown fulfillmentStatus {status!r}")
                order.setdefault("fulfillment", {})["fulfillmentStatus"] = status
                for item in order["orderItems"]:
                    qty = item["quantityOrdered"]
                    done = qty if status == "SHIPPED" else 0
                    if status != "PARTIALLY_SHIPPED":
                        item.setdefault("fulfillment", {}).update(
                            {"quantityFulfilled": done, "quantityUnfulfilled": qty - done})
            order.update(copy.deepcopy(changes))
            order["lastUpdatedTime"] = seed_mod.iso(self.now())
            return copy.deepcopy(order)

    # -- catalog ---------------------------------------------------------------
    def add_catalog_item(self, **kwargs: Any) -> dict:
        return seed_mod.add_catalog_item(self, **kwargs)

    def catalog_by_ean(self, ean: str) -> dict | None:
        with self.lock:
            if self._ean_index_for != len(self.catalog):
                # add_catalog_item resets it; a catalog changed behind its back changes size
                self._ean_index = {}
                for asin, item in self.catalog.items():
                    self._ean_index.setdefault(item["ean"], asin)  # the first item wins, as before
                self._ean_index_for = len(self.catalog)
            return self.catalog.get(self._ean_index.get(ean, ""))

    def listings_changed(self) -> None:
        with self.lock:
            self.listings_version += 1

    def now_iso(self) -> str:
        return seed_mod.iso(self.now())


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)
