"""Ürün Güncelleme: the shop's products, prices and stock on Amazon, by the auto-update type.

Every entry point (the buttons, the scheduler, the CLI, the stock-change signal)
calls :func:`push_products`. One push:

1. answers feeds still in flight (their processing reports go to the links);
2. links new SKUs: by EAN through searchCatalogItems (an offer on the existing
   ASIN, ``LISTING_OFFER_ONLY``) or, for a product Amazon does not have, a whole
   ``LISTING`` whose required attributes come from getDefinitionsProductType;
3. compares each part (content, price, stock) the type allows with the digest of
   the last value Amazon accepted, so an unchanged catalog costs no call;
4. sends what changed: up to ``PATCH_THRESHOLD`` SKUs one patchListingsItem (or
   putListingsItem for a new link) each, more in JSON_LISTINGS_FEED documents of
   up to 25,000 messages.

Why the threshold is 100 (bench/products.py measures it): a patch costs one call
and Amazon applies it within seconds, at 5 calls/s per seller; a feed costs about
7 calls whatever its size but Amazon takes minutes to process it, and createFeed
refills once per 2 minutes. 100 patches take 20 s of the listings bucket that
stock changes also need; beyond that one feed is cheaper and does not starve them.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Iterable

from flask import current_app
from sqlalchemy import select, update

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..i18n import in_turkish
from ..models import ListingFeed, ListingLink, ListingSettings, Store, SyncRun
from ..models.listings import SUBMITTING
from ..spapi import InvalidInputError, MalformedResponseError, NetworkError, SPAPIError
from ..spapi.client import JSON_FEED_CONTENT_TYPE, JSON_LISTINGS_FEED
from . import listing_schema
from . import listing_values as values
from . import session, state
from .amazon import NotAuthorized, NotConfigured, calling_amazon, can_sync
from .runs import LeaseBusy, acquire_lease, finish_run, progress, release_lease, start_run

log = logging.getLogger("amazon_tr")

LEASE_KIND = "products"
PATCH_THRESHOLD = 100
FEED_MAX_MESSAGES = 25000
FEED_POLL_SECONDS = 15.0
FEED_WAIT_LIMIT_SECONDS = 3 * 3600
LOAD_CHUNK = 500
#: Amazon's final feed states, ours for a feed given up after AMAZON_TR_FEED_DEADLINE, and
#: ours for a createFeed whose feed never showed up on Amazon (LOST).
FINAL_STATUSES = ("DONE", "FATAL", "CANCELLED", "EXPIRED", "LOST")
FEED_DEADLINE = 4 * 3600
#: How long a createFeed whose answer was lost may take to show up in getFeeds
#: before its products are sent again (AMAZON_TR_FEED_GRACE).
FEED_GRACE = 600
#: Allowance for our clock and Amazon's disagreeing, and for getFeeds' whole-second times.
FEED_CLOCK_SKEW = timedelta(seconds=120)
#: A createFeed the client gave up on may still land on Amazon for this many of
#: the client's read timeouts after the error, in real time.
LANDING_READ_TIMEOUTS = 3

__all__ = [
    "LeaseBusy", "PATCH_THRESHOLD", "blocked_reason", "get_settings", "link_sku", "poll_feeds", "preview",
    "push_products", "save_settings", "set_price_lock", "unlink_sku",
]

#: Issues the plugin itself writes on a link; stored by key, translated when shown.
OUR_ISSUES = {
    "missing_attributes": _l("Amazon requires these attributes for product type %(product_type)s and the product "
                             "has no value for them: %(names)s."),
    "no_product_type": _l("Amazon has no product with this EAN, and no product type is chosen for the category "
                          "“%(category)s”. Choose one in the category → product type settings."),
    "needs_content": _l("Amazon has no product with this EAN. Creating a new product sends its content, which the "
                        "automatic update type “%(type)s” does not send: choose All information or Product "
                        "information only."),
    "no_ean": _l("The product has no EAN, so it cannot be matched with Amazon's catalog."),
    "feed_failed": _l("Amazon could not process the feed holding this product (%(status)s); it is sent again next "
                      "time."),
    "feed_lost": _l("Amazon did not confirm the feed holding this product and it never showed up there; the product "
                    "is sent again."),
    "feed_deadline": _l("Amazon had not processed the feed holding this product after %(hours)s hours; it is sent "
                        "again next time."),
}

BLOCKED_REASONS = {
    "passive": _l("The store is passive: nothing is sent to Amazon."),
    "unauthorized": _l("The store is not authorized with Amazon: nothing is sent."),
    "product_update_off": _l("Product update is off for this store: nothing is sent to Amazon."),
}


def our_issue(key: str, **params) -> dict:
    return {"code": f"amazon_tr.{key}", "severity": "ERROR", "message": str(OUR_ISSUES[key] % params)
            if params else str(OUR_ISSUES[key]), "key": key, "params": params}


def issue_text(issue: dict) -> str:
    """An issue as the admin reads it: ours translated now, Amazon's as Amazon wrote it (tr_TR)."""
    key = issue.get("key")
    if key in OUR_ISSUES:
        return _(OUR_ISSUES[key]._message, **(issue.get("params") or {}))
    return str(issue.get("message") or issue.get("code") or "")


# --- settings ----------------------------------------------------------------------------

def get_settings(store_id: int) -> ListingSettings:
    found = session().get(ListingSettings, store_id)
    return found if found is not None else ListingSettings(
        store_id=store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
        fixed_amount=Decimal("0"), rounding="none", default_product_type=None, category_map_json="{}")


def save_settings(store_id: int, *, stock_buffer: int, max_quantity: int | None, markup_percent: Decimal,
                  fixed_amount: Decimal, rounding: str, default_product_type: str | None,
                  category_map: dict[str, str]) -> ListingSettings:
    if rounding not in ("none", "90", "99", "whole"):
        raise ValueError("rounding")
    row = session().get(ListingSettings, store_id) or ListingSettings(store_id=store_id)
    row.stock_buffer = max(0, int(stock_buffer))
    row.max_quantity = None if max_quantity is None else max(0, int(max_quantity))
    row.markup_percent = Decimal(markup_percent)
    row.fixed_amount = Decimal(fixed_amount)
    row.rounding = rounding
    row.default_product_type = (default_product_type or "").strip() or None
    row.category_map = {k: v.strip() for k, v in category_map.items() if v and v.strip()}
    session().add(row)
    session().commit()
    return row


def feed_deadline() -> float:
    return float(current_app.config.get("AMAZON_TR_FEED_DEADLINE") or FEED_DEADLINE)


def feed_grace() -> float:
    return float(current_app.config.get("AMAZON_TR_FEED_GRACE") or FEED_GRACE)




def patch_threshold() -> int:
    return int(current_app.config.get("AMAZON_TR_PATCH_THRESHOLD", PATCH_THRESHOLD))


def blocked_reason(store: Store) -> str | None:
    """Why nothing may be sent for this store now, or None."""
    if not store.active:
        return "passive"
    if not can_sync(store):
        return "unauthorized"
    if not store.product_update:
        return "product_update_off"
    return None


# --- the push ----------------------------------------------------------------------------

@dataclass
class Work:
    """One SKU to send: a new link (put) or changed parts of an existing one (patch)."""

    link: ListingLink
    product: object
    op: str  # "put" or "patch"
    parts: tuple[str, ...]
    digests: dict[str, str]
    attempt: str
    product_type: str
    requirements: str | None = None
    attributes: dict | None = None
    patches: list[dict] | None = None

    def pending(self, message_id: int | None = None) -> dict:
        return {"m": message_id, "op": self.op, "requirements": self.requirements, "parts": list(self.parts),
                "digests": {p: self.digests[p] for p in self.parts}, "attempt": self.attempt,
                "price": str(values.apply_price_rule(self.product.price, self.rules)) if values.PRICE in self.parts
                else None,
                "quantity": values.apply_stock_rule(self.product.stock, self.rules) if values.STOCK in self.parts
                else None,
                "title": (self.product.title or "")[:300] if values.CONTENT in self.parts else None}

    rules: values.Rules = field(default_factory=values.Rules)


class Pusher:
    """One push for one store, with one SP-API client."""

    def __init__(self, store: Store, client, run: SyncRun | None) -> None:
        self.store = store
        self.client = client
        self.run = run
        self.db = session()
        self.clock = state().clock
        self.settings = get_settings(store.id)
        self.rules = values.Rules.from_settings(self.settings)
        self.parts = values.TYPE_PARTS[store.auto_update_type]
        self.counts: dict[str, int] = {}
        self.schema_cache = state().extras.setdefault("listing_schema_cache", {})
        # SKUs of feeds given up as never created, for a waiting push to send again
        self.lost_skus: set[str] = set()

    def count(self, **amounts: int) -> None:
        for key, amount in amounts.items():
            if amount:
                self.counts[key] = self.counts.get(key, 0) + amount

    def now(self) -> datetime:
        return self.clock.now()

    # -- what changed --------------------------------------------------------------
    def detect(self, products, rows: dict) -> tuple[list, list[tuple]]:
        """Split products into (new SKUs to link, (sku, product, parts, digests, attempt) to send)."""
        now = self.now()
        to_link, changed = [], []
        for product in products:
            row = rows.get(product.sku)
            if row is None:
                to_link.append(product)
                continue
            (state_, asin, ptype, c_hash, p_hash, s_hash, failed, lock_until, feed_id) = row
            if state_ == "unlinked" or feed_id:
                continue
            if not is_linked(state_, c_hash, p_hash, s_hash):
                # never accepted by Amazon: linking again, unless nothing changed since it was refused
                to_link.append(product)
                continue
            digests = values.part_digests(product, self.rules, ptype)
            stored = {values.CONTENT: c_hash, values.PRICE: p_hash, values.STOCK: s_hash}
            parts = []
            for part in self.parts:
                if part == values.CONTENT and state_ == "locked":
                    continue
                if part == values.PRICE and lock_until is not None and lock_until > now:
                    continue
                if digests[part] != stored[part]:
                    parts.append(part)
            if not parts:
                continue
            attempt = values.combined_digest({p: digests[p] for p in parts})
            if attempt == failed:
                continue  # Amazon refused exactly these values; wait until they change
            changed.append((product.sku, product, tuple(parts), digests, attempt))
        return to_link, changed

    def _rows(self, skus: Iterable[str] | None) -> dict:
        query = select(ListingLink.sku, ListingLink.state, ListingLink.asin, ListingLink.product_type,
                       ListingLink.content_hash, ListingLink.price_hash, ListingLink.stock_hash,
                       ListingLink.failed_hash, ListingLink.price_lock_until, ListingLink.feed_id).where(
            ListingLink.store_id == self.store.id)
        if skus is not None:
            skus = list(skus)
            out = {}
            for start in range(0, len(skus), LOAD_CHUNK):
                for r in self.db.execute(query.where(ListingLink.sku.in_(skus[start:start + LOAD_CHUNK]))):
                    out[r[0]] = tuple(r[1:])
            return out
        return {r[0]: tuple(r[1:]) for r in self.db.execute(query)}

    def _links(self, skus: list[str]) -> dict[str, ListingLink]:
        out = {}
        for start in range(0, len(skus), LOAD_CHUNK):
            for link in self.db.scalars(select(ListingLink).where(
                    ListingLink.store_id == self.store.id, ListingLink.sku.in_(skus[start:start + LOAD_CHUNK]))):
                out[link.sku] = link
        return out

    # -- linking -------------------------------------------------------------------
    def link_work(self, products: list) -> list[Work]:
        """Links for SKUs Amazon has not accepted yet: EAN match first, whole LISTING otherwise."""
        if not products:
            return []
        links = self._links([p.sku for p in products])
        for p in products:
            if p.sku not in links:
                link = ListingLink(store_id=self.store.id, sku=p.sku, ean=p.ean, state="pending", issues_json="[]")
                self.db.add(link)
                links[p.sku] = link
                self.count(new_links=1)
        self.db.flush()

        candidates = []
        for p in products:
            link = links[p.sku]
            link.ean = p.ean
            # the same product, type and settings refused before: do not ask Amazon again
            attempt = self._link_attempt(p)
            if link.failed_hash == attempt:
                continue
            candidates.append((p, link, attempt))

        eans = sorted({p.ean for p, _, _ in candidates if p.ean})
        found: dict[str, dict] = {}
        if eans:
            result = self.client.search_catalog_items_by_ean(
                eans, included_data=("summaries", "identifiers", "productTypes"))
            for item in result.get("items") or []:
                for group in item.get("identifiers") or []:
                    for ident in group.get("identifiers") or []:
                        if ident.get("identifierType") in ("EAN", "GTIN"):
                            found.setdefault(ident.get("identifier"), item)
            self.count(catalog_matches=len(found))

        work = []
        for p, link, attempt in candidates:
            item = found.get(p.ean) if p.ean else None
            if item is not None:
                ptype = next((t.get("productType") for t in item.get("productTypes") or []
                              if t.get("productType")), None) or self._product_type(p) or "PRODUCT"
                attrs = values.identity_attributes(p, item["asin"])
                for part in self.parts:
                    attrs.update(values.part_attributes(part, p, self.rules))
                link.asin = item["asin"]  # provisional until Amazon accepts; cleared on refusal
                work.append(self._work(link, p, "put", ptype, "LISTING_OFFER_ONLY", attrs, attempt))
                continue
            if values.CONTENT not in self.parts:
                self._refuse(link, attempt, [our_issue("needs_content", type=self._type_label())]
                             if p.ean else [our_issue("no_ean")])
                continue
            ptype = self._product_type(p)
            if not ptype:
                self._refuse(link, attempt, [our_issue("no_product_type", category=p.category or "—")])
                continue
            attrs = values.identity_attributes(p, None)
            for part in self.parts:
                attrs.update(values.part_attributes(part, p, self.rules))
            required = listing_schema.required_attributes(self.client, ptype, self.schema_cache, self.clock.time())
            missing = [name for name in required if name not in attrs]
            if missing:
                self._refuse(link, attempt, [our_issue("missing_attributes", product_type=ptype,
                                                       names=", ".join(missing))])
                self.count(missing_attributes=1)
                continue
            work.append(self._work(link, p, "put", ptype, "LISTING", attrs, attempt))
        return work

    def _type_label(self) -> str:
        from ..forms import AUTO_UPDATE_CHOICES

        return str(dict(AUTO_UPDATE_CHOICES)[self.store.auto_update_type])

    def _link_attempt(self, product) -> str:
        digests = values.part_digests(product, self.rules, self._product_type(product))
        return values.combined_digest({**digests, "type": self.store.auto_update_type, "ean": product.ean or ""})

    def _product_type(self, product) -> str | None:
        mapping = self.settings.category_map
        return mapping.get(product.category or "") or self.settings.default_product_type

    def _work(self, link, product, op, ptype, requirements, attrs, attempt) -> Work:
        digests = values.part_digests(product, self.rules, ptype)
        return Work(link=link, product=product, op=op, parts=self.parts, digests=digests, attempt=attempt,
                    product_type=ptype, requirements=requirements, attributes=attrs, rules=self.rules)

    def _refuse(self, link: ListingLink, attempt: str, issues: list[dict]) -> None:
        link.state = "error"
        link.issues = issues
        link.failed_hash = attempt
        self.count(errors=1)

    # -- sending -------------------------------------------------------------------
    def push(self, skus: Iterable[str] | None = None) -> None:
        products = list(state().shop.iter_products(skus))
        rows = self._rows([p.sku for p in products] if skus is not None else None)
        to_link, changed = self.detect(products, rows)
        self.count(products=len(products), unchanged=len(products) - len(to_link) - len(changed))
        work = self.link_work(to_link)
        if changed:
            links = self._links([sku for sku, *_ in changed])
            for sku, product, parts, digests, attempt in changed:
                link = links[sku]
                work.append(Work(link=link, product=product, op="patch", parts=parts, digests=digests,
                                 attempt=attempt, product_type=link.product_type or "PRODUCT",
                                 patches=values.patches_for(parts, product, self.rules), rules=self.rules))
        self.db.commit()
        if not work:
            return
        if len(work) <= patch_threshold():
            for item in work:
                self.send_one(item)
        elif self.submitting_count():
            # A feed whose createFeed answer was lost is matched to Amazon's by creation
            # time; a second unknown feed would make that match ambiguous.
            log.info("store %s: a feed is still unconfirmed; %s product(s) wait for the next push",
                     self.store.id, len(work))
            self.count(deferred=len(work))
        else:
            for start in range(0, len(work), FEED_MAX_MESSAGES):
                if self.send_feed(work[start:start + FEED_MAX_MESSAGES]) is None:
                    self.count(deferred=max(0, len(work) - start - FEED_MAX_MESSAGES))
                    break

    def send_one(self, item: Work) -> None:
        try:
            if item.op == "put":
                response = self.client.put_listings_item(item.link.sku, product_type=item.product_type,
                                                         attributes=item.attributes, requirements=item.requirements)
                self.count(puts=1)
            else:
                response = self.client.patch_listings_item(item.link.sku, product_type=item.product_type,
                                                           patches=item.patches)
                self.count(patches=1)
        except InvalidInputError as exc:
            # Amazon refused the request itself (shape, path): the link says why, the rest goes on
            apply_outcome(item.link, item.pending(), "INVALID",
                          [{"code": "InvalidInput", "severity": "ERROR", "message": str(exc)}],
                          product_type=item.product_type, now=self.now(), counts=self.count)
            self.db.commit()
            return
        apply_outcome(item.link, item.pending(), response.get("status", "INVALID"), response.get("issues") or [],
                      product_type=item.product_type, now=self.now(), counts=self.count)
        self.db.commit()

    def send_feed(self, batch: list[Work]) -> str | None:
        """Upload and create one feed; returns its feedId, or None when Amazon's answer was lost."""
        messages = []
        for number, item in enumerate(batch, start=1):
            if item.op == "put":
                messages.append({"messageId": number, "sku": item.link.sku, "operationType": "UPDATE",
                                 "productType": item.product_type, "requirements": item.requirements,
                                 "attributes": item.attributes})
            else:
                messages.append({"messageId": number, "sku": item.link.sku, "operationType": "PATCH",
                                 "productType": item.product_type, "patches": item.patches})
        document = {"header": {"sellerId": self.client.seller_id, "version": "2.0", "issueLocale": "tr_TR"},
                    "messages": messages}
        created = self.client.create_feed_document(JSON_FEED_CONTENT_TYPE)
        self.client.upload_feed_document(created["url"], json.dumps(document, ensure_ascii=False).encode("utf-8"),
                                         JSON_FEED_CONTENT_TYPE)
        now = self.now()
        record = ListingFeed(store_id=self.store.id, feed_id=None, input_document_id=created["feedDocumentId"],
                             status=SUBMITTING, message_count=len(messages),
                             run_id=self.run.id if self.run else None, submitted_at=now)
        self.db.add(record)
        self.db.flush()
        for number, item in enumerate(batch, start=1):
            item.link.feed_id = record.link_key
            item.link.product_type = item.product_type
            item.link.requirements = item.requirements or item.link.requirements
            item.link.pending_json = json.dumps(item.pending(number), ensure_ascii=False)
            item.link.last_pushed_at = now
        # Committed before createFeed: if its answer is lost or we die before the next
        # commit, this row is how the feed Amazon may have created gets found.
        self.db.commit()
        try:
            answer = self.client.create_feed(JSON_LISTINGS_FEED, created["feedDocumentId"])
        except NetworkError as exc:
            if not exc.may_have_reached:
                self.abandon(record)
                raise
            self.landing_deadlines()[record.id] = time.monotonic() + self.landing_seconds()
            log.warning("store %s: createFeed's answer was lost (%s); looking for the feed on Amazon",
                        self.store.id, exc)
            self.count(feeds_unconfirmed=1)
            self.reconcile()
            return record.feed_id
        except SPAPIError:
            # Amazon answered with a refusal: no feed was created
            self.abandon(record)
            raise
        self.confirm(record, answer["feedId"], "IN_QUEUE")
        # the deadline counts from when Amazon took the feed, after any retries of createFeed
        record.submitted_at = self.now()
        self.db.commit()
        self.count(feeds=1, feed_messages=len(messages))
        log.info("store %s: JSON_LISTINGS_FEED %s submitted with %s message(s)", self.store.id, answer["feedId"],
                 len(messages))
        return answer["feedId"]

    # -- feeds whose createFeed answer is unknown -------------------------------------
    def confirm(self, record: ListingFeed, feed_id: str, status: str) -> None:
        key = record.link_key
        record.feed_id = feed_id
        record.status = status
        self.db.execute(update(ListingLink).where(ListingLink.feed_id == key).values(feed_id=feed_id))

    def abandon(self, record: ListingFeed) -> None:
        """Amazon surely has no feed for the record: its products are free to go again."""
        self.db.rollback()
        self.db.execute(update(ListingLink).where(ListingLink.feed_id == record.link_key).values(
            feed_id=None, pending_json=None))
        self.db.delete(record)
        self.db.commit()

    def submitting_count(self) -> int:
        return len(list(self.db.scalars(select(ListingFeed.id).where(
            ListingFeed.store_id == self.store.id, ListingFeed.status == SUBMITTING))))

    def landing_deadlines(self) -> dict[int, float]:
        return state().extras.setdefault("feed_landing_deadlines", {})

    def landing_seconds(self) -> float:
        timeout = self.client.timeout
        read = timeout[-1] if isinstance(timeout, (tuple, list)) else timeout
        return LANDING_READ_TIMEOUTS * float(read or 0)

    def reconcile(self) -> None:
        """Settle feeds recorded as SUBMITTING: adopt the feed Amazon created for each, or give it up.

        getFeeds does not say which input document a feed was made from, so a
        JSON_LISTINGS_FEED created after the record (less the clock skew) that no
        row of ours claims is taken as the record's. That holds because a store
        creates its feeds one at a time (the products lease) and creates none
        while one is unconfirmed. Two stores sharing one seller id, or another
        tool sending JSON_LISTINGS_FEEDs for the seller, could be mistaken for ours.
        """
        records = list(self.db.scalars(select(ListingFeed).where(
            ListingFeed.store_id == self.store.id, ListingFeed.status == SUBMITTING).order_by(ListingFeed.id)))
        if not records:
            return
        deadlines = self.landing_deadlines()
        grace = feed_grace()
        for look in range(2):
            self.adopt(records)
            left = [r for r in records if r.status == SUBMITTING]
            overdue = [r for r in left if (self.now() - r.submitted_at).total_seconds() >= grace]
            if not overdue:
                break
            # The request we gave up on travels in real time, not on the plugin's clock
            # (which tests and the bench run fast): let it land before concluding it never will.
            wait = max(deadlines.get(r.id, 0.0) for r in overdue) - time.monotonic()
            if look == 0 and wait > 0:
                time.sleep(wait)
                continue
            for record in overdue:
                self.lose(record)
            break
        self.db.commit()

    def adopt(self, records: list[ListingFeed]) -> None:
        since = min(r.submitted_at for r in records) - FEED_CLOCK_SKEW
        feeds = list(self.client.iter_feeds(feed_types=[JSON_LISTINGS_FEED], created_since=since))
        ids = [f["feedId"] for f in feeds if f.get("feedId")]
        claimed = set(self.db.scalars(select(ListingFeed.feed_id).where(ListingFeed.feed_id.in_(ids)))) if ids \
            else set()
        free = sorted((f for f in feeds if f.get("feedId") and f["feedId"] not in claimed),
                      key=lambda f: (_amazon_time(f.get("createdTime")), f["feedId"]))
        for record in records:
            for feed in free:
                created = _amazon_time(feed.get("createdTime"))
                if created >= record.submitted_at - FEED_CLOCK_SKEW:
                    free.remove(feed)
                    # not Amazon's status yet: a final one would keep the poll from reading the report
                    self.confirm(record, feed["feedId"], "IN_QUEUE")
                    # the deadline counts from when Amazon took the feed, not from our record
                    record.submitted_at = max(record.submitted_at, created)
                    self.landing_deadlines().pop(record.id, None)
                    log.info("store %s: feed %s found on Amazon and taken as the one whose answer was lost",
                             self.store.id, feed["feedId"])
                    self.count(feeds=1, feed_messages=record.message_count, feeds_found=1)
                    break

    def lose(self, record: ListingFeed) -> None:
        """No feed showed up for the record within the grace period: its products go again."""
        skus = list(self.db.scalars(select(ListingLink.sku).where(ListingLink.feed_id == record.link_key)))
        self.db.execute(update(ListingLink).where(ListingLink.feed_id == record.link_key).values(
            feed_id=None, pending_json=None,
            issues_json=json.dumps([our_issue("feed_lost")], ensure_ascii=False)))
        record.status = "LOST"
        record.finished_at = self.now()
        record.error = in_turkish(_l("Amazon did not confirm this feed and it never showed up there; its products "
                                     "are sent again."))
        self.landing_deadlines().pop(record.id, None)
        self.lost_skus.update(skus)
        log.warning("store %s: feed record %s never showed up on Amazon; %s product(s) are sent again",
                    self.store.id, record.id, len(skus))
        self.count(feeds_lost=1)

    # -- feeds in flight -------------------------------------------------------------
    def poll(self) -> int:
        """Ask Amazon about this store's open feeds; returns how many finished."""
        finished = 0
        self.reconcile()
        open_feeds = list(self.db.scalars(select(ListingFeed).where(
            ListingFeed.store_id == self.store.id, ListingFeed.status != SUBMITTING,
            ListingFeed.status.notin_(FINAL_STATUSES)).order_by(ListingFeed.id)))
        deadline = feed_deadline()
        for feed in open_feeds:
            answer = self.client.get_feed(feed.feed_id)
            feed.status = answer.get("processingStatus") or feed.status
            if feed.status not in FINAL_STATUSES and feed.submitted_at is not None and \
                    (self.now() - feed.submitted_at).total_seconds() >= deadline:
                self.expire_feed(feed, deadline)
            if feed.status == "DONE":
                self.apply_report(feed, self.report(answer["resultFeedDocumentId"]))
            elif feed.status in ("FATAL", "CANCELLED"):
                report = None
                if answer.get("resultFeedDocumentId"):
                    report = self.report(answer["resultFeedDocumentId"])
                self.fail_feed(feed, report)
            if feed.status in FINAL_STATUSES:
                feed.finished_at = self.now()
                finished += 1
            self.db.commit()
        return finished

    def report(self, document_id: str, attempts: int = 3) -> dict:
        """The processing report; a document cut off in transit is fetched again (a fresh URL each time)."""
        for attempt in range(attempts):
            document = self.client.get_feed_document(document_id)
            raw = self.client.download_feed_document(document)
            try:
                report = json.loads(raw.decode("utf-8"))
                if isinstance(report, dict):
                    return report
            except (UnicodeDecodeError, ValueError):
                pass
            log.info("store %s: feed report %s unreadable (try %s)", self.store.id, document_id, attempt + 1)
        # the feed stays open: the next poll reads the report again
        raise MalformedResponseError("the feed's processing report is not valid JSON",
                                     operation="downloadFeedDocument")

    def apply_report(self, feed: ListingFeed, report: dict) -> None:
        by_message: dict[int, list[dict]] = {}
        for issue in report.get("issues") or []:
            if isinstance(issue.get("messageId"), int):
                by_message.setdefault(issue["messageId"], []).append(issue)
        now = self.now()
        for link in self.db.scalars(select(ListingLink).where(ListingLink.feed_id == feed.feed_id)):
            pending = link.pending or {}
            issues = by_message.get(pending.get("m"), [])
            status = "INVALID" if any(i.get("severity") == "ERROR" for i in issues) else "ACCEPTED"
            apply_outcome(link, pending, status, issues, product_type=link.product_type, now=now,
                          counts=self.count)
            link.feed_id = None
            link.pending_json = None
        feed.error = None

    def fail_feed(self, feed: ListingFeed, report: dict | None) -> None:
        messages = "; ".join(i.get("message", "") for i in (report or {}).get("issues") or [])
        feed.error = messages or feed.status
        self.db.execute(update(ListingLink).where(ListingLink.feed_id == feed.feed_id).values(
            feed_id=None, pending_json=None,
            issues_json=json.dumps([our_issue("feed_failed", status=feed.status)], ensure_ascii=False)))
        self.count(feeds_failed=1)

    def expire_feed(self, feed: ListingFeed, deadline: float) -> None:
        """Amazon sits on the feed too long: free its SKUs so the next push sends them again.

        The feed is never submitted again as it was; a report Amazon might still
        produce for it is not read, since its SKUs now belong to a newer send.
        """
        hours = f"{deadline / 3600:g}"
        feed.status = "EXPIRED"
        feed.error = in_turkish(_l("Amazon had not processed this feed after %(hours)s hours; it was given up and "
                                   "its products are sent again.", hours=hours))
        self.db.execute(update(ListingLink).where(ListingLink.feed_id == feed.feed_id).values(
            feed_id=None, pending_json=None,
            issues_json=json.dumps([our_issue("feed_deadline", hours=hours)], ensure_ascii=False)))
        log.warning("store %s: feed %s not processed after %s s; its products are sent again",
                    self.store.id, feed.feed_id, deadline)
        self.count(feeds_expired=1)

    def open_feed_count(self) -> int:
        return len(list(self.db.scalars(select(ListingFeed.id).where(
            ListingFeed.store_id == self.store.id, ListingFeed.status.notin_(FINAL_STATUSES)))))

    def wait_for_feeds(self, on_poll=None) -> None:
        """Poll until every open feed is processed (the CLI and the bench wait; the buttons do not)."""
        waited = 0.0
        while self.open_feed_count():
            if waited >= FEED_WAIT_LIMIT_SECONDS:
                break
            self.clock.sleep(FEED_POLL_SECONDS)
            waited += FEED_POLL_SECONDS
            self.poll()
            if self.lost_skus:
                skus, self.lost_skus = sorted(self.lost_skus), set()
                self.push(skus)
            if on_poll:
                on_poll(self)


def _amazon_time(value: str | None) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)


def is_linked(state_: str, *hashes) -> bool:
    """Amazon accepted a listing for the SKU (a new LISTING may have no ASIN yet)."""
    return state_ in ("live", "locked") or (state_ == "error" and any(hashes))


def apply_outcome(link: ListingLink, pending: dict, status: str, issues: list[dict], *, product_type: str | None,
                  now: datetime, counts) -> None:
    """Write Amazon's answer for one SKU onto its link: accepted digests, issues, state."""
    parts = pending.get("parts") or []
    digests = pending.get("digests") or {}
    refused = sorted({name for name in (values.refused_attribute(i) for i in issues)
                      if name in values.CONTENT_ATTRIBUTES})
    errors = [i for i in issues if i.get("severity") == "ERROR"]
    link.issues = issues
    link.last_pushed_at = now
    if product_type:
        link.product_type = product_type
    content_only_refusal = bool(refused) and all(values.refused_attribute(i) in values.CONTENT_ATTRIBUTES
                                                 for i in errors)
    if status in ("ACCEPTED", "VALID") or (content_only_refusal and values.CONTENT in parts):
        accepted = status in ("ACCEPTED", "VALID")
        if accepted and pending.get("op") == "put" and not link.requirements:
            link.requirements = pending.get("requirements")
        for part in parts:
            if part == values.CONTENT and refused:
                continue
            if not accepted:
                continue
            setattr(link, f"{part}_hash", digests.get(part))
            if part == values.PRICE and pending.get("price") is not None:
                link.amazon_price = Decimal(pending["price"])
            elif part == values.STOCK and pending.get("quantity") is not None:
                link.amazon_quantity = int(pending["quantity"])
            elif part == values.CONTENT and pending.get("title") is not None:
                link.amazon_title = pending["title"]
        if refused and values.CONTENT in parts:
            # Amazon took the offer but not our content: the catalog page is someone else's
            link.state = "locked"
            link.locked_reason = " ".join(str(i.get("message", "")) for i in issues
                                          if values.refused_attribute(i) in values.CONTENT_ATTRIBUTES)[:2000]
            counts(locked=1)
        elif link.state != "locked":
            link.state = "live"
        link.failed_hash = None
        if accepted:
            counts(accepted=1)
    else:
        if pending.get("op") == "put" and not (link.price_hash or link.stock_hash or link.content_hash):
            link.asin = None  # the link was never made
        link.state = "error"
        link.failed_hash = pending.get("attempt")
        counts(errors=1)


# --- entry points ------------------------------------------------------------------------

def _store(store_id: int) -> Store:
    store = session().get(Store, store_id)
    if store is None:
        raise LookupError(f"no Amazon store {store_id}")
    return store


def push_products(store_id: int, *, trigger: str = "manual", skus=None, wait: bool = False,
                  on_poll=None) -> SyncRun:
    """Send the store's products to Amazon as its auto-update type says; records and returns a SyncRun.

    No listing call at all when the store is passive, unauthorized or its product
    update is off (the run says why). Raises LeaseBusy when another push of the
    store is running. ``skus`` limits the push to those SKUs (one product's
    "şimdi gönder", the stock-change signal). With ``wait`` the push polls its
    feeds until Amazon has processed them.
    """
    store = _store(store_id)
    reason = blocked_reason(store)
    if reason:
        run = start_run(store_id, LEASE_KIND, trigger=trigger, cursor=f"skipped:{reason}")
        run.counts = {"calls": 0}
        return finish_run(run)
    token = acquire_lease(store_id, LEASE_KIND)
    try:
        run = start_run(store_id, LEASE_KIND, trigger=trigger)
        pusher = None
        try:
            with calling_amazon(store) as client:
                pusher = Pusher(store, client, run)
                pusher.poll()
                pusher.push(skus)
                if wait:
                    pusher.wait_for_feeds(on_poll)
                pusher.count(calls=client.stats.total_calls)
            progress(run, commit=False, **pusher.counts)
            return finish_run(run)
        except (SPAPIError, NotAuthorized, NotConfigured) as exc:
            session().rollback()
            if pusher is not None:
                pusher.count(calls=pusher.client.stats.total_calls)
                progress(run, commit=False, **pusher.counts)
            log.warning("product push of store %s failed: %s", store_id, exc)
            return finish_run(run, error=_("Amazon refused the product update: %(error)s", error=str(exc)))
        except Exception:
            session().rollback()
            finish_run(run, error=_("The product update stopped because of an unexpected error."))
            raise
    finally:
        release_lease(store_id, LEASE_KIND, token)


def poll_feeds(store_id: int) -> int:
    """Ask Amazon about the store's feeds in flight and write their reports to the links; returns how many finished."""
    store = _store(store_id)
    if blocked_reason(store) in ("passive", "unauthorized"):
        return 0
    has_open = session().scalar(select(ListingFeed.id).where(
        ListingFeed.store_id == store_id, ListingFeed.status.notin_(FINAL_STATUSES)).limit(1))
    if has_open is None:
        return 0
    try:
        token = acquire_lease(store_id, LEASE_KIND)
    except LeaseBusy:
        return 0  # the push holding it polls first
    try:
        with calling_amazon(store) as client:
            return Pusher(store, client, None).poll()
    finally:
        release_lease(store_id, LEASE_KIND, token)


def link_sku(store_id: int, sku: str) -> SyncRun:
    """Bring an unlinked or refused SKU back into the sync and try to link it now."""
    link = session().scalar(select(ListingLink).where(ListingLink.store_id == store_id, ListingLink.sku == sku))
    if link is not None:
        if link.state in ("unlinked", "error") or link.asin is None:
            link.state = "pending"
        link.failed_hash = None
        session().commit()
    return push_products(store_id, trigger="manual", skus=[sku])


def unlink_sku(store_id: int, sku: str) -> ListingLink | None:
    """Take the SKU out of the sync: nothing more is sent for it; its Amazon listing is left as it is."""
    link = session().scalar(select(ListingLink).where(ListingLink.store_id == store_id, ListingLink.sku == sku))
    if link is None:
        return None
    link.state = "unlinked"
    link.content_hash = link.price_hash = link.stock_hash = link.failed_hash = None
    link.asin = None
    link.locked_reason = None
    session().commit()
    return link


def set_price_lock(store_id: int, sku: str, until: datetime | None) -> ListingLink | None:
    """Fiyat kilidi: price pushes skip the SKU until ``until`` (None lifts it)."""
    link = session().scalar(select(ListingLink).where(ListingLink.store_id == store_id, ListingLink.sku == sku))
    if link is None:
        return None
    link.price_lock_until = until
    session().commit()
    return link


# --- önizleme ------------------------------------------------------------------------------

@dataclass
class PreviewRow:
    sku: str
    title: str
    state: str | None
    action: str  # link, update, none, skip
    parts: list[tuple[str, str, str]]  # (part, would send, last known on Amazon)
    note: str | None = None


def preview(store_id: int, *, update_type: str | None = None, skus=None, limit: int | None = 500) -> list[PreviewRow]:
    """What the next push would send per SKU, next to the last value Amazon accepted. Sends nothing."""
    store = _store(store_id)
    update_type = update_type or store.auto_update_type
    parts = values.TYPE_PARTS[update_type]
    settings = get_settings(store_id)
    rules = values.Rules.from_settings(settings)
    now = state().clock.now()
    rows = []
    products = state().shop.iter_products(skus)
    for product in products:
        link = session().scalar(select(ListingLink).where(ListingLink.store_id == store_id,
                                                          ListingLink.sku == product.sku))
        digests = values.part_digests(product, rules, link.product_type if link else None)
        price = values.apply_price_rule(product.price, rules)
        quantity = values.apply_stock_rule(product.stock, rules)
        shown = {
            values.CONTENT: (product.title or "", (link.amazon_title if link else None) or "—"),
            values.PRICE: (f"{price} TRY", f"{link.amazon_price} TRY" if link and link.amazon_price is not None
                           else "—"),
            values.STOCK: (str(quantity), str(link.amazon_quantity) if link and link.amazon_quantity is not None
                           else "—"),
        }
        out_parts, note = [], None
        if link is not None and link.state == "unlinked":
            rows.append(PreviewRow(product.sku, product.title, link.state, "skip", []))
            continue
        action = "update" if link is not None and is_linked(
            link.state, link.content_hash, link.price_hash, link.stock_hash) else "link"
        for part in parts:
            if link is not None and action == "update":
                if part == values.CONTENT and link.state == "locked":
                    note = "locked"
                    continue
                if part == values.PRICE and link.price_locked(now):
                    note = "price_locked"
                    continue
                if digests[part] == getattr(link, f"{part}_hash"):
                    continue
            out_parts.append((part, *shown[part]))
        if action == "update" and not out_parts:
            action = "none"
        rows.append(PreviewRow(product.sku, product.title, link.state if link else None, action, out_parts, note))
        if limit and len(rows) >= limit:
            break
    return rows


# --- the page ------------------------------------------------------------------------------

def list_links(store_id: int, *, state_filter: str | None = None, query: str | None = None, page: int = 1,
               per_page: int = 50) -> tuple[list[ListingLink], int]:
    from sqlalchemy import func, or_

    base = select(ListingLink).where(ListingLink.store_id == store_id)
    if state_filter:
        base = base.where(ListingLink.state == state_filter)
    if query:
        like = f"%{query}%"
        base = base.where(or_(ListingLink.sku.ilike(like), ListingLink.asin.ilike(like), ListingLink.ean.ilike(like)))
    total = session().scalar(select(func.count()).select_from(base.subquery()))
    items = list(session().scalars(base.order_by(ListingLink.sku).offset((page - 1) * per_page).limit(per_page)))
    return items, total


def state_counts(store_id: int) -> dict[str, int]:
    from sqlalchemy import func

    return dict(session().execute(select(ListingLink.state, func.count()).where(
        ListingLink.store_id == store_id).group_by(ListingLink.state)).all())


def get_link(store_id: int, link_id: int) -> ListingLink | None:
    link = session().get(ListingLink, link_id)
    return link if link is not None and link.store_id == store_id else None
