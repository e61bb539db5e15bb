"""Feeds that wait at Amazon (issue 13, §4): under 10 MiB and 25,000 messages, no new feed while the
store's previous one is still queued, a feed past the deadline cancelled before its SKUs go again, one
Amazon is processing waited for, and a report whose summary contradicts its issues trusted for no SKU."""
from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from test_products_support import build_env, read_inventory_first, seed_demo_catalog

from flask_amazon_tr.sandbox.seed import TR_SELLER_ID

DEADLINE = 600


@pytest.fixture
def env(tmp_path, sim_sandbox, sim_clock):
    seed_demo_catalog(sim_sandbox.state, matched=range(1, 21))
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type="stock_price", AMAZON_TR_PATCH_THRESHOLD=5,
                    AMAZON_TR_FEED_DEADLINE=DEADLINE)
    _settings(env)
    read_inventory_first(env)
    return env


def _settings(env):
    with env.ctx():
        from flask_amazon_tr.services.listings import save_settings

        save_settings(env.store_id, stock_buffer=0, max_quantity=None, markup_percent=Decimal("0"),
                      fixed_amount=Decimal("0"), rounding="none", default_product_type="HOME", category_map={})


def _skus(first, last):
    return [f"DEMO-{i:04d}" for i in range(first, last + 1)]


def _links():
    from flask_amazon_tr.models import ListingLink
    from demo import db

    db.session.expire_all()
    return {link.sku: link for link in db.session.scalars(select(ListingLink))}


def _ops(env):
    with env.sb.lock:
        return [e["operation"] for e in env.sb.requests]


def _documents(sb):
    """The feed documents uploaded to the sandbox, oldest first: (bytes as sent, parsed)."""
    out = []
    with sb.lock:
        docs = [d for d in sb.documents.values() if d["kind"] == "input" and d.get("content")]
    for doc in docs:
        raw = doc["content"]
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        out.append((raw, json.loads(raw)))
    return out


def test_feed_batches_keep_under_amazons_size_and_message_limits():
    """The split itself: every document as sent is at most the byte limit, with at most the message limit."""
    from types import SimpleNamespace

    from flask_amazon_tr.services.listings.feed_submit import (FEED_MAX_BYTES, FEED_MAX_MESSAGES, feed_batches,
                                                               feed_document)
    from flask_amazon_tr.services.listings.work import Work

    assert (FEED_MAX_BYTES, FEED_MAX_MESSAGES) == (10 * 1024 * 1024, 25000)  # Amazon's figures
    items = [Work(link=SimpleNamespace(sku=f"ŞAL-{n}"), product=None, op="patch", parts=("content",), digests={},
                  attempt="", product_type="HOME",
                  patches=[{"op": "replace", "path": "/attributes/product_description",
                            "value": [{"value": "ğüşıöç" * (n % 50 + 1)}]}]) for n in range(300)]
    for max_bytes, max_messages in ((4000, 25000), (10 ** 9, 7), (2500, 3)):
        batches = feed_batches(items, "A1SELLER", max_bytes=max_bytes, max_messages=max_messages)
        assert [i.link.sku for b in batches for i in b] == [i.link.sku for i in items]  # all, in order, once
        for batch in batches:
            document = feed_document("A1SELLER", batch)
            assert len(batch) <= max_messages and len(document) <= max_bytes
            assert [m["messageId"] for m in json.loads(document)["messages"]] == list(range(1, len(batch) + 1))
        # no batch could have taken the next one's first message
        for batch, following in zip(batches, batches[1:]):
            assert len(batch) == max_messages or len(feed_document("A1SELLER", batch + following[:1])) > max_bytes


def test_a_feed_over_10_mib_is_split_and_the_second_waits_while_the_first_is_queued(tmp_path, sim_sandbox,
                                                                                    sim_clock):
    """1,300 new products with long descriptions are about 14 MiB of feed: two documents under 10 MiB each;
    the second is created only once Amazon has started the first."""
    from demo import Product, db
    from flask_amazon_tr.services.listings import push_products

    seed_demo_catalog(sim_sandbox.state, matched=())
    env = build_env(tmp_path, sim_sandbox, sim_clock, update_type="all")
    _settings(env)
    text = "Anadolu'nun el emeği, özenle işlenmiş ürünü; ılık suda yıkayın, gölgede kurutun. " * 120
    with env.ctx():
        db.session.query(Product).delete()
        db.session.add_all(Product(sku=f"UZUN-{n:05d}", ean=None, title=f"Uzun açıklamalı ürün {n}", brand="Anadolu",
                                   category="Ev", description=text, price=Decimal("100.00"), stock=5)
                           for n in range(1300))
        db.session.commit()
    read_inventory_first(env)
    with env.ctx():
        run = push_products(env.store_id)
        assert run.status == "done", run.error
        assert run.counts["feeds"] == 1 and 0 < run.counts["deferred"] < 1300
        first = run.counts["feed_messages"]
        # Amazon has not started the first feed: a second push makes none
        again = push_products(env.store_id)
        assert again.counts.get("feeds", 0) == 0 and again.counts["deferred"] == 1300 - first
    assert env.sb.count("createFeed") == 1
    env.clock.advance(10)  # Amazon starts the first feed (IN_PROGRESS)
    with env.ctx():
        run = push_products(env.store_id, wait=True)
        assert run.status == "done", run.error
        assert run.counts["feeds"] == 1 and run.counts["feed_messages"] == 1300 - first
        assert {link.state for link in _links().values()} == {"live"}
    documents = _documents(env.sb)
    assert len(documents) == 2
    assert all(len(raw) <= 10 * 1024 * 1024 for raw, _ in documents)
    assert sum(len(raw) for raw, _ in documents) > 10 * 1024 * 1024  # one document would have been too big
    skus = [m["sku"] for _, doc in documents for m in doc["messages"]]
    assert len(skus) == len(set(skus)) == 1300


def test_no_new_feed_while_the_previous_one_is_queued_and_a_stale_one_is_cancelled_first(env):
    from flask_amazon_tr.services.listings import push_products

    env.sb.force_feed_outcome("queued")  # Amazon never starts the first feed
    with env.ctx():
        assert push_products(env.store_id, skus=_skus(1, 10)).counts["feeds"] == 1
    env.clock.advance(DEADLINE / 2)
    with env.ctx():
        run = push_products(env.store_id, skus=_skus(11, 20))  # ten more: a feed's worth, but one waits already
        assert run.counts.get("feeds", 0) == 0 and run.counts["deferred"] == 10
    assert env.sb.count("createFeed") == 1 and env.sb.count("cancelFeed") == 0
    env.clock.advance(DEADLINE / 2 + 1)
    env.sb.clear_requests()
    with env.ctx():
        run = push_products(env.store_id, skus=_skus(1, 20))
        assert run.counts["feeds_cancelled"] == 1 and run.counts["feeds"] == 1 and run.counts["feed_messages"] == 20
        new_feed = {link.feed_id for link in _links().values()}
    ops = _ops(env)
    # the stale feed is cancelled before its SKUs are sent again: it can never land after them
    assert ops.index("cancelFeed") < ops.index("createFeed")
    with env.sb.lock:
        statuses = {f["feedId"]: f["processingStatus"] for f in env.sb.feeds.values()}
    assert sorted(statuses.values()) == ["CANCELLED", "IN_QUEUE"]
    assert new_feed == {next(k for k, v in statuses.items() if v == "IN_QUEUE")}


def test_a_feed_amazon_is_processing_is_waited_for_not_duplicated(env):
    from flask_amazon_tr.services.listings import issue_text, push_products
    from flask_amazon_tr.services.listings.feed_poll import IN_PROGRESS_PATIENCE

    env.sb.force_feed_outcome("stuck")  # Amazon starts it and takes its time
    with env.ctx():
        push_products(env.store_id, skus=_skus(1, 10))
        feed_id = _links()["DEMO-0001"].feed_id
    env.clock.advance(DEADLINE + 1)
    env.sb.clear_requests()
    with env.ctx():
        run = push_products(env.store_id, skus=_skus(1, 10))
        assert run.counts.get("feeds", 0) == 0
        assert {link.feed_id for link in _links().values()} == {feed_id}
    assert env.sb.count("cancelFeed") == 0 and env.sb.count("createFeed") == 0
    # stuck for good: given up, and its SKUs go again in one new feed
    env.clock.advance(IN_PROGRESS_PATIENCE * DEADLINE)
    with env.ctx():
        run = push_products(env.store_id, skus=_skus(1, 10))
        assert run.counts["feeds_expired"] == 1 and run.counts["feeds"] == 1
        links = _links()
        assert {link.feed_id for link in links.values()} - {feed_id} == {links["DEMO-0001"].feed_id}
        assert "saat" in issue_text(links["DEMO-0001"].issues[0])
    assert env.sb.count("cancelFeed") == 0


def test_a_report_whose_summary_accepts_fewer_than_it_shows_is_trusted_for_no_sku(env):
    """Cross-check of summary.messagesAccepted: a report that names no error but accepts nothing stores nothing."""
    from flask_amazon_tr.models import ListingFeed, Store
    from flask_amazon_tr.services.listings import issue_text, push_products
    from flask_amazon_tr.services.listings.feed_poll import apply_report
    from flask_amazon_tr.services.listings.pusher import Pusher
    from demo import db

    with env.ctx():
        push_products(env.store_id, skus=_skus(1, 10))
        feed = db.session.scalar(select(ListingFeed))
        report = {"header": {"sellerId": TR_SELLER_ID, "version": "2.0", "feedId": feed.feed_id}, "issues": [],
                  "summary": {"errors": 0, "warnings": 0, "messagesProcessed": 10, "messagesAccepted": 0,
                              "messagesInvalid": 0}}
        apply_report(Pusher(db.session.get(Store, env.store_id), None, None), feed, report)
        db.session.commit()
        links = _links()
        assert {link.state for link in links.values()} == {"error"}
        assert not any(link.price_hash for link in links.values())
        [issue] = links["DEMO-0001"].issues
        assert issue["code"] == "amazon_tr.summary", issue
