"""APScheduler in the one process that leads, and the election that picks it.

Every process that starts with AMAZON_TR_SCHEDULER on (each gunicorn worker,
each host) runs a small election thread. It tries the leader lock
(:mod:`flask_amazon_tr.leader_lock`) every AMAZON_TR_SCHEDULER_RETRY seconds; the one
that gets it starts a BackgroundScheduler with one tick job per kind, the
others keep trying. When the leader dies its lock goes with it and a follower
takes over at its next try, then catches up the current slot at once (the slot
claims in :mod:`flask_amazon_tr.services.schedule` keep that from repeating a tick the
old leader already ran, and a restart runs the daily jobs only if today's run
has not happened yet).
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
from datetime import datetime, timezone

from flask import Flask

from .logsafe import log_failure
from .config import setting
from .leader_lock import lock_for
from .services import schedule
from .services.runs import HOLDER
from .services.schedule import KINDS, interval
from .state import state

log = logging.getLogger("amazon_tr")

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def run_job(app: Flask, kind: str):
    """One tick of ``kind`` with its own app context and database session: what APScheduler calls."""
    with app.app_context():
        try:
            return schedule.run_tick(kind)
        except Exception as exc:
            log_failure(log, "scheduler: the %s tick failed", kind, exc=exc)
        finally:
            state(app).db.session.remove()


class SchedulerHost:
    """This process's part in the election and, while it leads, its APScheduler."""

    def __init__(self, app: Flask, lock, *, retry: float) -> None:
        self.app = app
        self.lock = lock
        self.retry = retry
        self.holder = HOLDER
        self.role = "follower"
        self.leading_since: datetime | None = None
        self.aps = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()
        self._catch_ups: list[threading.Thread] = []

    def start(self) -> "SchedulerHost":
        self._thread = threading.Thread(target=self._elect, name="amazon_tr-scheduler-election", daemon=True)
        self._thread.start()
        atexit.register(self.stop)
        return self

    def _elect(self) -> None:
        failing = None  # the failure the last step ended with: said once, then retried quietly
        while not self._stop.is_set():
            try:
                self.step()
            except Exception as exc:
                seen = (type(exc).__name__, str(exc)[:200])
                if seen != failing:
                    log.warning("scheduler: election step failed (%s); retrying every %gs, quietly while it "
                                "fails the same way", type(exc).__name__, self.retry, exc_info=exc)
                else:
                    log.debug("scheduler: election step failed again (%s)", type(exc).__name__)
                failing = seen
            else:
                if failing is not None:
                    log.info("scheduler: election works again")
                failing = None
            self._stop.wait(self.retry)

    def step(self) -> str:
        """One round of the election: lead if the lock is free, keep leading while it is ours."""
        with self._mutex:
            if self._stop.is_set():
                return self.role
            if self.role == "leader":
                if self.lock.still_held():
                    self._db(lambda s: s.heartbeat(self.holder) or s.record_leader(
                        self.holder, self.lock.kind, self.leading_since))
                else:
                    self._step_down("lost the lock")
            elif self.lock.try_acquire():
                self._lead()
            return self.role

    def _db(self, fn):
        with self.app.app_context():
            try:
                return fn(schedule)
            finally:
                state(self.app).db.session.remove()

    def _lead(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.interval import IntervalTrigger

        self.role = "leader"
        self.leading_since = datetime.now(timezone.utc)
        log.info("scheduler: %s leads (%s lock at %s)", self.holder, self.lock.kind, self.lock.where)
        self._db(lambda s: s.record_leader(self.holder, self.lock.kind, self.leading_since))
        aps = BackgroundScheduler(
            timezone=timezone.utc,
            executors={"default": ThreadPoolExecutor(max_workers=len(KINDS) + 1)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        with self.app.app_context():
            for kind in KINDS:
                seconds = interval(kind)
                # Started at the epoch: the same grid in every process, so a new leader keeps the beat.
                aps.add_job(run_job, IntervalTrigger(seconds=seconds, start_date=EPOCH, timezone=timezone.utc),
                            args=(self.app, kind), id=kind, name=f"amazon_tr {kind}",
                            misfire_grace_time=max(1, int(seconds)))
        aps.start()
        self.aps = aps
        # Each kind's current slot now, if no leader ran it yet, each in its own thread (plain threads:
        # one-off APScheduler jobs race with shutdown when the leader steps down at once).
        self._catch_ups = [threading.Thread(target=run_job, args=(self.app, kind), daemon=True,
                                            name=f"amazon_tr-catch-up-{kind}") for kind in KINDS]
        for thread in self._catch_ups:
            thread.start()

    def _step_down(self, why: str) -> None:
        log.warning("scheduler: %s stops leading: %s", self.holder, why)
        self._shutdown_aps()
        self.lock.release()
        self.role = "follower"
        self.leading_since = None

    def _shutdown_aps(self, *, wait: bool = False) -> None:
        aps, self.aps = self.aps, None
        if aps is not None:
            try:
                aps.shutdown(wait=wait)
            except Exception:  # already stopped by interpreter shutdown
                pass

    def stop(self) -> None:
        """Stop leading (or trying to) and let a follower take over at its next try."""
        with self._mutex:
            if self._stop.is_set():
                return
            self._stop.set()
            was_leader = self.role == "leader"
            self._shutdown_aps(wait=True)
            for thread in self._catch_ups:
                thread.join(timeout=30)  # a sync cut off mid-page is safe, but finishing it is kinder
            if was_leader:
                try:
                    self._db(lambda s: s.clear_leader(self.holder))
                except Exception:  # the database may be gone at exit; the heartbeat just goes stale
                    log.warning("scheduler: could not clear the leader row")
            self.lock.release()
            self.role = "off"


def in_reloader_watcher(app: Flask) -> bool:
    # Werkzeug's debug reloader runs the app twice: the watcher, which serves nothing,
    # and the child it restarts on every change, which has WERKZEUG_RUN_MAIN set.
    return bool(app.debug) and os.environ.get("WERKZEUG_RUN_MAIN") != "true"


def start_scheduler(app: Flask, *, elect: bool = True) -> SchedulerHost | None:
    """Join the election for this shop's scheduler; None in the debug reloader's watcher process."""
    if in_reloader_watcher(app):
        log.info("scheduler: not started in the debug reloader's watcher process (the reloaded child runs it)")
        return None
    with app.app_context():
        for kind in KINDS:
            interval(kind)  # a bad interval fails at start-up, not in a job thread at night
        engine = state(app).db.engine
    lock = lock_for(engine, lock_file=setting("AMAZON_TR_SCHEDULER_LOCK_FILE", app),
                    instance_path=app.instance_path)
    retry = float(setting("AMAZON_TR_SCHEDULER_RETRY", app))
    host = SchedulerHost(app, lock, retry=retry)
    if elect:
        host.start()
    return host

