"""The scheduler's jobs, pause and resume from the admin box, the CLI, the locks and the reloader rule."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from conftest import csrf_from, make_app
from flask_amazon_tr.leader_lock import FileLock, PostgresLock
from flask_amazon_tr.models import Store, SyncRun
from flask_amazon_tr.models.scheduler import SchedulerClaim, SchedulerLeader, SchedulerStore
from flask_amazon_tr.scheduler import SchedulerHost, start_scheduler
from flask_amazon_tr.services import schedule
from test_scheduler_processes import add_store


@pytest.fixture
def sapp(tmp_path, sandbox):
    sandbox.state.rate_limits_enabled = False
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    yield app
    from demo import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def scheduler_runs(app, store_id):
    from demo import db

    with app.app_context():
        try:
            return [r.status for r in db.session.scalars(
                select(SyncRun).where(SyncRun.store_id == store_id, SyncRun.trigger == "scheduler"))]
        finally:
            db.session.remove()


def tick(app, kind, when=None):
    with app.app_context():
        try:
            return schedule.run_tick(kind, when=when)
        finally:
            app.extensions["amazon_tr"].db.session.remove()


def test_order_tick_runs_each_eligible_store_once_per_slot(sapp, sandbox):
    active = add_store(sapp, sandbox.url, "Ankara")
    passive = add_store(sapp, sandbox.url, "Pasif", active=False)
    off = add_store(sapp, sandbox.url, "Kapalı", order_import=False)
    unauthorized = add_store(sapp, sandbox.url, "Yetkisiz", authorized=False)
    report = tick(sapp, "orders", when=1_000_000)
    assert list(report.ran) == [active] and report.ran[active]["status"] == "done"
    assert scheduler_runs(sapp, active) == ["done"]
    # The same slot again (a second process, a new leader's catch-up): nothing runs twice.
    again = tick(sapp, "orders", when=1_000_000 + 10)
    assert again.ran == {} and again.skipped == [active]
    assert scheduler_runs(sapp, active) == ["done"]
    for store_id in (passive, off, unauthorized):
        assert scheduler_runs(sapp, store_id) == []
    # The next slot runs again; the store made passive in between does not.
    tick(sapp, "orders", when=1_000_000 + 300)
    assert scheduler_runs(sapp, active) == ["done", "done"]
    from demo import db

    with sapp.app_context():
        db.session.get(Store, active).active = False
        db.session.commit()
    assert tick(sapp, "orders", when=1_000_000 + 600).ran == {}


def test_daily_jobs_purge_and_authorization_check(sapp, sandbox, caplog):
    ok = add_store(sapp, sandbox.url, "Ankara")
    expiring = add_store(sapp, sandbox.url, "Bursa")
    from demo import db

    with sapp.app_context():
        store = db.session.get(Store, expiring)
        store.authorization_expires_at = sapp.extensions["amazon_tr"].clock.now() + timedelta(days=10)
        db.session.commit()
    with caplog.at_level(logging.WARNING, logger="amazon_tr"):
        report = tick(sapp, "authorizations", when=86400 * 20000)
    assert report.ran == {"authorizations": {expiring: "expiring"}}
    assert any("store %s (Bursa)" % expiring in r.getMessage() and "authorize it again" in r.getMessage()
               for r in caplog.records)
    assert not any(f"store {ok} " in r.getMessage() for r in caplog.records)
    assert tick(sapp, "purge", when=86400 * 20000).ran == {"purge": 0}
    assert tick(sapp, "purge", when=86400 * 20000 + 3600).skipped == ["purge"]  # once a day


def test_pause_and_resume_from_the_admin_box(sapp, sandbox):
    store_id = add_store(sapp, sandbox.url, "Ankara")
    client = sapp.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    page = client.get("/admin/amazon/").get_data(as_text=True)
    assert 'id="amazon-tr-scheduler"' in page
    assert f'/admin/amazon/scheduler/stores/{store_id}/pause' in page
    token = csrf_from(page)
    # Without the CSRF token nothing changes.
    assert client.post(f"/admin/amazon/scheduler/stores/{store_id}/pause").status_code == 400
    resp = client.post(f"/admin/amazon/scheduler/stores/{store_id}/pause", data={"csrf_token": token})
    assert resp.status_code == 302
    page = client.get("/admin/amazon/").get_data(as_text=True)
    assert "Duraklatıldı" in page and f"/scheduler/stores/{store_id}/resume" in page
    assert tick(sapp, "orders", when=2_000_000).ran == {}
    assert scheduler_runs(sapp, store_id) == []
    # htmx: the box answers itself, in place.
    fragment = client.post(f"/admin/amazon/scheduler/stores/{store_id}/resume", data={"csrf_token": token},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<section") and f"/scheduler/stores/{store_id}/pause" in fragment
    assert list(tick(sapp, "orders", when=2_000_300).ran) == [store_id]
    assert client.post("/admin/amazon/scheduler/stores/9999/pause", data={"csrf_token": token}).status_code == 404


def test_box_shows_the_leader_and_the_next_run(sapp, sandbox, tmp_path):
    add_store(sapp, sandbox.url, "Ankara")
    client = sapp.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    assert "Şu anda otomatik senkronizasyonu çalıştıran bir süreç yok" in client.get("/admin/amazon/scheduler").text
    host = SchedulerHost(sapp, FileLock(tmp_path / "box.lock"), retry=5)
    try:
        assert host.step() == "leader"
        box = client.get("/admin/amazon/scheduler").text
        assert f'data-leader="{host.holder}"' in box
        assert "Sonraki çalışma" in box and "Henüz çalışmadı" not in box.split("Sonraki")[0]
    finally:
        host.stop()
    with sapp.app_context():
        assert schedule.status().leader_alive is False  # a clean stop hands over at once


def test_one_leader_among_hosts_and_take_over(sapp, tmp_path):
    lock_path = tmp_path / "lead.lock"
    first = SchedulerHost(sapp, FileLock(lock_path), retry=5)
    second = SchedulerHost(sapp, FileLock(lock_path), retry=5)
    try:
        assert [first.step(), second.step(), second.step()] == ["leader", "follower", "follower"]
        assert first.aps is not None and second.aps is None
        with sapp.app_context():
            assert sapp.extensions["amazon_tr"].db.session.get(SchedulerLeader, 1).holder == first.holder
        first.stop()
        assert second.step() == "leader" and second.aps is not None
    finally:
        first.stop()
        second.stop()


def test_file_lock_is_released_by_closing_and_noticed_when_removed(tmp_path):
    a, b = FileLock(tmp_path / "x.lock"), FileLock(tmp_path / "x.lock")
    assert a.try_acquire() and not b.try_acquire()
    a.release()
    assert b.try_acquire()
    (tmp_path / "x.lock").unlink()
    assert not b.still_held() and not b.held


@pytest.mark.postgres
def test_postgres_advisory_lock_one_holder_and_lost_session(pg_url):
    engine = sa.create_engine(pg_url)
    a, b = PostgresLock(engine), PostgresLock(engine)
    try:
        assert a.try_acquire() and not b.try_acquire()
        assert a.still_held()
        # The leader's session dies (server restart, network): the lock is free and the leader knows it.
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                                 "AND objid = (CAST(:k AS bigint) & 4294967295)::oid"), {"k": a.key})
            conn.commit()
        assert not a.still_held()
        assert b.try_acquire() and not a.try_acquire()
        # A pooled connection handed back must not carry the lock: b's session is its own.
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": a.key}).scalar() is False
    finally:
        a.release()
        b.release()
        engine.dispose()


def test_no_scheduler_in_the_debug_reloaders_watcher(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    app.debug = True
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert start_scheduler(app, elect=False) is None
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    host = start_scheduler(app, elect=False)
    assert isinstance(host, SchedulerHost) and isinstance(host.lock, FileLock)
    assert host.lock.path.name == "demo.sqlite.amazon_tr-scheduler.lock"


def test_deleting_a_store_forgets_its_pause_and_claims(sapp, sandbox):
    from flask_amazon_tr.services.stores import delete_store
    from demo import db

    store_id = add_store(sapp, sandbox.url, "Ankara")
    tick(sapp, "orders", when=3_000_000)
    with sapp.app_context():
        schedule.set_paused(store_id, True)
        delete_store(db.session.get(Store, store_id))
        assert db.session.scalars(select(SchedulerStore)).all() == []
        assert db.session.scalars(select(SchedulerClaim).where(SchedulerClaim.store_id == store_id)).all() == []


def test_cli_status_test_pause_resume(sapp, sandbox):
    store_id = add_store(sapp, sandbox.url, "Ankara")
    runner = sapp.test_cli_runner()
    out = runner.invoke(args=["amazon", "scheduler", "status"])
    assert out.exit_code == 0, out.output
    assert "hiçbir süreç zamanlamayı henüz çalıştırmadı" in out.output and f"{store_id}\tAnkara" in out.output
    assert "\tSipariş Aktarımı\tsonraki:" in out.output, out.output
    out = runner.invoke(args=["amazon", "scheduler", "pause", "Ankara"])
    assert out.exit_code == 0 and "duraklatıldı" in out.output
    assert "[Duraklatıldı]" in runner.invoke(args=["amazon", "scheduler", "status"]).output
    assert runner.invoke(args=["amazon", "scheduler", "resume", str(store_id)]).exit_code == 0
    out = runner.invoke(args=["amazon", "scheduler", "run", "orders"])
    assert out.exit_code == 0 and f"çalıştığı mağazalar {store_id};" in out.output, out.output
    out = runner.invoke(args=["amazon", "test", "Ankara"])
    assert out.exit_code == 0 and out.output.startswith("BAŞARILI"), out.output
    out = runner.invoke(args=["amazon", "test", "Yok Böyle Mağaza"])
    assert out.exit_code != 0 and "Amazon mağazası yok" in out.output


def test_store_list_and_box_cost_the_same_queries_for_one_store_or_ten(sapp, sandbox):
    from querycount import counting_queries
    from demo import db

    client = sapp.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True

    def queries(path):
        client.get(path)  # warm: first-request work is not the page's
        with sapp.app_context(), counting_queries(db.engine) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    first = add_store(sapp, sandbox.url, "Mağaza 0")
    with sapp.app_context():
        db.session.add(SyncRun(store_id=first, kind="orders", trigger="scheduler", status="done", started_at=schedule.runs.now()))
        db.session.commit()
    one = {path: queries(path) for path in ("/admin/amazon/", "/admin/amazon/scheduler")}
    for i in range(1, 10):
        store_id = add_store(sapp, sandbox.url, f"Mağaza {i}")
        with sapp.app_context():
            db.session.add(SyncRun(store_id=store_id, kind="orders", trigger="scheduler", status="done", started_at=schedule.runs.now()))
            db.session.commit()
    ten = {path: queries(path) for path in one}
    assert ten == one


# --- runs of processes that are gone, background runs that die, old runs, a lock file that cannot open ----------

def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _left_by_a_killed_push(app, store_id, *, holder=None, started_ago=timedelta(minutes=5)):
    """What a push killed with SIGKILL leaves: its run marked running, its lease held by a pid that is gone."""
    import socket

    from demo import db
    from flask_amazon_tr.models import StoreLease

    with app.app_context():
        now = app.extensions["amazon_tr"].clock.now()
        run = SyncRun(store_id=store_id, kind="products", trigger="manual", status="running",
                      started_at=now - started_ago, counts_json="{}")
        db.session.add(run)
        if holder is not False:
            db.session.add(StoreLease(store_id=store_id, kind="products", expires_at=now + timedelta(minutes=5),
                                      holder=holder or f"{socket.gethostname()}:{_dead_pid()}:1:dead"))
        db.session.commit()
        run_id = run.id
        db.session.remove()
        return run_id


def _run(app, run_id):
    from demo import db

    with app.app_context():
        run = db.session.get(SyncRun, run_id)
        db.session.expunge(run)
        return run


def test_a_product_push_killed_mid_run_is_closed_as_failed_by_the_next(sapp, sandbox):
    from flask_amazon_tr.services.listings import push_products
    from demo import db

    store_id = add_store(sapp, sandbox.url, "Ankara")
    with sapp.app_context():
        db.session.get(Store, store_id).product_update = True
        db.session.commit()
    killed = _left_by_a_killed_push(sapp, store_id)
    with sapp.app_context():
        after = push_products(store_id)
        assert after.id != killed and after.status in ("done", "failed")
    run = _run(sapp, killed)
    assert run.status == "failed" and run.finished_at is not None
    assert "yarıda kesildi" in run.error.lower() and "ürün" in run.error.lower(), run.error


def test_housekeeping_closes_runs_nobody_takes_up_again(sapp, sandbox):
    from flask_amazon_tr.services.runs import HOLDER

    dead = add_store(sapp, sandbox.url, "Ölü")  # its product update is off: no push takes its lease again
    orphan = add_store(sapp, sandbox.url, "Kimsesiz")
    alive = add_store(sapp, sandbox.url, "Canlı")
    killed = _left_by_a_killed_push(sapp, dead)
    lost = _left_by_a_killed_push(sapp, orphan, holder=False)  # died between its lease and its run's end
    working = _left_by_a_killed_push(sapp, alive, holder=f"{HOLDER}:1:live")  # this process, still at it
    assert tick(sapp, "purge", when=86400 * 20001).ran == {"purge": 0}
    assert _run(sapp, killed).status == "failed" and _run(sapp, lost).status == "failed"
    assert _run(sapp, working).status == "running"


def test_a_background_run_that_dies_is_recorded_as_failed(sapp, sandbox):
    from flask_amazon_tr.services import runs

    store_id = add_store(sapp, sandbox.url, "Ankara")

    def dies_before_recording():
        raise RuntimeError("database is locked")

    def dies_while_running():
        runs.start_run(store_id, "products")
        raise RuntimeError("the shop's catalog went away")

    with sapp.app_context():
        for job in (dies_before_recording, dies_while_running):
            future = runs.in_background(job, records=(store_id, "products"))
            with pytest.raises(RuntimeError):
                future.result(timeout=30)
    from demo import db

    with sapp.app_context():
        found = db.session.scalars(select(SyncRun).where(SyncRun.store_id == store_id).order_by(SyncRun.id)).all()
        assert [(r.kind, r.status) for r in found] == [("products", "failed"), ("products", "failed")]
        assert all(r.error and r.finished_at for r in found)


def test_runs_are_kept_for_the_configured_days(tmp_path, sandbox):
    from conftest import make_app as fresh_app
    from flask_amazon_tr.config import ConfigError
    from demo import db

    with pytest.raises(ConfigError, match="AMAZON_TR_RUN_RETENTION_DAYS"):
        fresh_app(tmp_path / "bad", AMAZON_TR_RUN_RETENTION_DAYS="0")
    app = fresh_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url,
                    AMAZON_TR_RUN_RETENTION_DAYS="30")
    store_id = add_store(app, sandbox.url, "Ankara")
    with app.app_context():
        now = app.extensions["amazon_tr"].clock.now()

        def run(kind, days, status="done"):
            row = SyncRun(store_id=store_id, kind=kind, status=status, started_at=now - timedelta(days=days),
                          finished_at=now - timedelta(days=days), counts_json="{}")
            db.session.add(row)
            db.session.flush()
            return row.id

        old, older, recent = run("orders", 40), run("orders", 400), run("orders", 2)
        only = run("products", 100)  # the newest of its kind stays, whatever its age
        db.session.commit()
    tick(app, "purge", when=86400 * 20002)
    with app.app_context():
        kept = set(db.session.scalars(select(SyncRun.id).where(SyncRun.store_id == store_id)))
    assert kept == {recent, only} and not kept & {old, older}


def test_an_unopenable_lock_file_warns_once_then_retries_quietly(sapp, tmp_path, caplog):
    import time

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the lock's folder should be")
    host = SchedulerHost(sapp, FileLock(blocker / "scheduler.lock"), retry=0.02)
    with caplog.at_level(logging.DEBUG, logger="amazon_tr"):
        host.start()
        time.sleep(0.5)
        host.stop()
    loud = [r for r in caplog.records if r.name == "amazon_tr" and r.levelno >= logging.WARNING]
    assert len(loud) == 1, [r.getMessage() for r in loud]
    assert str(blocker / "scheduler.lock") in loud[0].getMessage() and "AMAZON_TR_SCHEDULER_LOCK_FILE" in \
        loud[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)
    assert host.role == "off"
    blocker.unlink()  # fixed: the next try takes the lock
    again = SchedulerHost(sapp, FileLock(blocker / "scheduler.lock"), retry=5)
    try:
        assert again.step() == "leader"
    finally:
        again.stop()
