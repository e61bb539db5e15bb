"""Exactly one scheduler per shop: four real worker processes on one database, a leader killed with SIGKILL."""
from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import ROOT, make_app
from test_orders_helpers import add_store as add_authorized_store
from flask_amazon_tr.models import ImportedOrder, Store, SyncRun
from flask_amazon_tr.models.scheduler import SchedulerClaim, SchedulerLeader
from flask_amazon_tr.services import schedule

INTERVAL = 3.0  # order import; long enough that a tick of a few short imports ends inside its slot, even on a loaded CI machine
RETRY = 0.3
WORKERS = 4


def add_store(app, sandbox_url, name, **fields) -> int:
    return add_authorized_store(app, sandbox_url, name=name, **fields)


def slot_now() -> int:
    return math.floor(time.time() / INTERVAL)


class Workers:
    def __init__(self, tmp_path: Path, config: dict) -> None:
        self.tmp_path = tmp_path
        self.config = config
        self.procs: dict[int, subprocess.Popen] = {}

    def start(self, n: int) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env.pop("WERKZEUG_RUN_MAIN", None)
        for i in range(n):
            log = open(self.tmp_path / f"worker-{i}.log", "w")
            proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "scheduler_worker.py"),
                                     json.dumps(self.config)], cwd=ROOT, env=env, stdout=log, stderr=log)
            self.procs[proc.pid] = proc

    def alive(self) -> set[int]:
        return {pid for pid, p in self.procs.items() if p.poll() is None}

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("worker-*.log")))

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def leader_row(app):
    from demo import db

    with app.app_context():
        try:
            row = db.session.get(SchedulerLeader, 1)
            return None if row is None else (int(row.holder.rsplit(":", 1)[1]), row.since, row.heartbeat_at)
        finally:
            db.session.remove()


def wait_for_leader(app, workers: Workers, *, other_than: int | None = None, timeout: float = 20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        row = leader_row(app)
        if row and row[0] != other_than and row[0] in workers.alive():
            return row
        time.sleep(0.1)
    raise AssertionError(f"no leader within {timeout} s; worker logs:\n{workers.logs()[-4000:]}")


def scheduled_runs(app) -> dict[int, tuple[int, str]]:
    """{run id: (store id, status)} of every run the scheduler made."""
    from demo import db

    with app.app_context():
        try:
            rows = db.session.scalars(select(SyncRun).where(SyncRun.trigger == "scheduler")).all()
            return {r.id: (r.store_id, r.status) for r in rows}
        finally:
            db.session.remove()


def claims(app) -> dict[int, list[tuple[int, int | None]]]:
    """{store id: [(slot, run id), ...]} of the order import slots the scheduler claimed."""
    from demo import db

    with app.app_context():
        try:
            rows = db.session.execute(select(SchedulerClaim.store_id, SchedulerClaim.slot, SchedulerClaim.run_id)
                                      .where(SchedulerClaim.job.like("orders:%"))
                                      .order_by(SchedulerClaim.slot)).all()
        finally:
            db.session.remove()
    found: dict = {}
    for store_id, slot, run_id in rows:
        found.setdefault(store_id, []).append((slot, run_id))
    return found


def wait_settled(app, stores: list[int], *, timeout: float = 4 * INTERVAL) -> int:
    """Wait until each store's order import ran in every slot since its first one, up to the current
    slot, and finished, with the next tick not about to fire; returns the current slot. The kill and
    the store changes happen then, so that they fall between ticks, not inside one."""
    deadline = time.time() + timeout
    seen: dict = {}
    while time.time() < deadline:
        slot = slot_now()
        if (slot + 1) * INTERVAL - time.time() > 0.4:
            runs = scheduled_runs(app)
            seen = claims(app)
            done = all(s in seen and [c[0] for c in seen[s]] == list(range(seen[s][0][0], slot + 1))
                       and all(runs.get(run_id, (None, None))[1] == "done" for _, run_id in seen[s])
                       for s in stores)
            if done and slot_now() == slot:
                return slot
        time.sleep(0.05)
    raise AssertionError(f"the claimed slots per store {seen} never reached the current tick for {stores}")


def exercise(tmp_path: Path, sandbox, db_uri: str | None) -> None:
    # Rate limits are the client's and the sandbox's own tests; here they would only stretch the ticks.
    sandbox.state.rate_limits_enabled = False
    with sandbox.state.lock:
        sandbox.state.orders.clear()  # every import stays short, so each one starts and ends in its tick
    config = {
        "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test-secret", "TESTING": True,
        "AMAZON_TR_SANDBOX": "local", "AMAZON_TR_LOCAL_SANDBOX_URL": sandbox.url, "DEMO_MOUNT_SANDBOX": False,
        "AMAZON_TR_ORDER_INTERVAL": INTERVAL, "AMAZON_TR_PRODUCT_INTERVAL": 3600,
        "AMAZON_TR_FEED_POLL_INTERVAL": 3600, "AMAZON_TR_SCHEDULER_RETRY": RETRY,
    }
    if db_uri:
        config["SQLALCHEMY_DATABASE_URI"] = db_uri
    app = make_app(tmp_path, **{k: v for k, v in config.items() if k != "INSTANCE_PATH"})
    a = add_store(app, sandbox.url, "Ankara")
    b = add_store(app, sandbox.url, "Bursa")
    passive = add_store(app, sandbox.url, "Pasif Mağaza", active=False)
    paused = add_store(app, sandbox.url, "Durdurulan")
    unauthorized = add_store(app, sandbox.url, "Yetkisiz", authorized=False)
    import_off = add_store(app, sandbox.url, "Aktarım Kapalı", order_import=False)
    with app.app_context():
        schedule.set_paused(paused, True)

    workers = Workers(tmp_path, dict(config, AMAZON_TR_SCHEDULER=True))
    workers.start(WORKERS)
    try:
        first_leader, since, _ = wait_for_leader(app, workers)
        first_slot = math.floor(since.timestamp() / INTERVAL)
        wait_settled(app, [a, b])
        while slot_now() < first_slot + 2:  # a few ticks under the first leader
            time.sleep(0.05)
        wait_settled(app, [a, b])

        os.kill(first_leader, signal.SIGKILL)
        killed_at = time.time()
        second_leader, second_since, _ = wait_for_leader(app, workers, other_than=first_leader, timeout=INTERVAL * 3)
        assert second_since.timestamp() - killed_at < INTERVAL, "the take-over took longer than one interval"
        assert second_leader != first_leader and second_leader in workers.alive()

        # Without a restart: Bursa goes passive, a new store arrives, between two ticks.
        kill_slot = math.floor(killed_at / INTERVAL)
        while slot_now() < kill_slot + 1:  # a tick under the new leader
            time.sleep(0.05)
        change_slot = wait_settled(app, [a, b])
        with app.app_context():
            from demo import db

            db.session.get(Store, b).active = False
            db.session.commit()
            db.session.remove()
        e = add_store(app, sandbox.url, "Erzurum")
        placed = {sandbox.state.add_order(created=datetime.now(timezone.utc) - timedelta(minutes=10))["orderId"]
                  for _ in range(2)}
        assert slot_now() == change_slot, "the store changes straddled a tick; the counts below would be off"
        while slot_now() < change_slot + 2:
            time.sleep(0.05)
        last_slot = wait_settled(app, [a, e])
    finally:
        workers.stop()

    runs = scheduled_runs(app)
    assert {status for _, status in runs.values()} == {"done"}, runs
    got = claims(app)
    slots = {store_id: [slot for slot, _ in got[store_id]] for store_id in got}
    # The first leader's catch-up runs the slot it took the lead in (or the next, once it is over).
    assert slots[a][0] in (first_slot, first_slot + 1) and slots[b][0] in (first_slot, first_slot + 1)
    # Every tick, whoever led, and nothing for Bursa once passive, Erzurum from the next tick on.
    assert slots[a] == list(range(slots[a][0], last_slot + 1)), workers.logs()[-4000:]
    assert slots[b] == list(range(slots[b][0], change_slot + 1)), workers.logs()[-4000:]
    assert slots[e] == list(range(change_slot + 1, last_slot + 1)), workers.logs()[-4000:]
    assert kill_slot in slots[a] and kill_slot + 1 in slots[a]
    # Exactly one run per claimed slot: no run without its claim (two leaders), none missing.
    for store_id in (a, b, e):
        run_ids = [run_id for _, run_id in got[store_id]]
        assert sorted(run_ids) == sorted(i for i, (s, _) in runs.items() if s == store_id)
    assert set(got) == {a, b, e}  # the passive, paused, unauthorized and import-off stores got nothing
    # The jobs did the buttons' work: the new store's first scheduled import brought the orders in.
    from demo import db

    with app.app_context():
        rows = db.session.scalars(select(ImportedOrder.amazon_order_id).where(ImportedOrder.store_id == e)).all()
        assert sorted(rows) == sorted(placed)
        db.session.remove()
        db.engine.dispose()


def test_four_workers_on_sqlite_one_run_per_store_per_tick_and_take_over(tmp_path, sandbox):
    exercise(tmp_path, sandbox, None)


@pytest.mark.postgres
def test_four_workers_on_postgres_one_run_per_store_per_tick_and_take_over(tmp_path, sandbox, pg_url):
    exercise(tmp_path, sandbox, pg_url)
