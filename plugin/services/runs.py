"""Sync runs, per-store leases and running a sync in the background.

Every sync (button, scheduler or CLI) records a SyncRun, holds the store's lease
for its kind while it works, and reports progress into the run's counts so the
admin page can poll it.
"""
from __future__ import annotations

import contextvars
import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..config import setting
from ..errors import AmazonTRError
from ..i18n import in_turkish
from ..i18n import lazy_gettext as _l
from ..logsafe import log_failure
from ..models import Store, StoreLease, SyncRun
from . import session, state

log = logging.getLogger("amazon_tr")

HOLDER = f"{socket.gethostname()}:{os.getpid()}"
LEASE_TTL = timedelta(minutes=10)


class LeaseBusy(AmazonTRError):
    """Another process or thread is already syncing this store's kind."""


def now():
    return state().clock.now()


# --- leases -----------------------------------------------------------------------

def acquire_lease(store_id: int, kind: str, *, holder: str | None = None, ttl: timedelta = LEASE_TTL) -> str:
    """Take the store's lease for ``kind`` or raise LeaseBusy. Returns the holder token."""
    token = holder or f"{HOLDER}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"
    db = session()
    moment = now()
    # An expired lease belongs to a holder that died: take it over in one statement.
    taken = db.execute(
        update(StoreLease)
        .where(StoreLease.store_id == store_id, StoreLease.kind == kind, StoreLease.expires_at < moment)
        .values(holder=token, expires_at=moment + ttl)
    ).rowcount
    if taken:
        db.commit()
    else:
        db.add(StoreLease(store_id=store_id, kind=kind, holder=token, expires_at=moment + ttl))
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            if not _take_from_dead_holder(store_id, kind, token, moment + ttl):
                raise LeaseBusy(f"store {store_id} {kind} is busy") from None
    close_interrupted_runs(store_id, kind)
    return token


def _holder_is_dead(holder: str) -> bool:
    """A holder on this machine whose process is gone (killed, crashed): its lease is free now,
    not only when it expires. Holders on other machines are trusted until expiry."""
    parts = holder.split(":")
    if len(parts) < 2 or parts[0] != socket.gethostname():
        return False
    try:
        pid = int(parts[1])
    except ValueError:
        return False
    if pid == os.getpid() or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _take_from_dead_holder(store_id: int, kind: str, token: str, expires_at) -> bool:
    db = session()
    lease = db.scalar(select(StoreLease).where(StoreLease.store_id == store_id, StoreLease.kind == kind))
    if lease is None or not _holder_is_dead(lease.holder):
        db.rollback()
        return False
    dead = lease.holder
    # Conditional on the dead holder: of two processes taking over, one wins.
    taken = db.execute(
        update(StoreLease)
        .where(StoreLease.store_id == store_id, StoreLease.kind == kind, StoreLease.holder == dead)
        .values(holder=token, expires_at=expires_at)
    ).rowcount
    db.commit()
    if taken:
        log.info("took over the %s lease of store %s from a process that is gone", kind, store_id)
    return bool(taken)


def renew_lease(store_id: int, kind: str, token: str, *, ttl: timedelta = LEASE_TTL) -> bool:
    db = session()
    renewed = db.execute(
        update(StoreLease)
        .where(StoreLease.store_id == store_id, StoreLease.kind == kind, StoreLease.holder == token)
        .values(expires_at=now() + ttl)
    ).rowcount
    db.commit()
    return bool(renewed)


def release_lease(store_id: int, kind: str, token: str) -> None:
    db = session()
    db.execute(delete(StoreLease).where(StoreLease.store_id == store_id, StoreLease.kind == kind,
                                        StoreLease.holder == token))
    db.commit()


# --- runs ---------------------------------------------------------------------------

INTERRUPTED = {
    "orders": _l("Interrupted: the process stopped before the import finished."),
    "products": _l("Interrupted: the process stopped before the product update finished."),
    "shipments": _l("Interrupted: the process stopped before the shipment confirmations finished."),
}
INTERRUPTED_OTHER = _l("Interrupted: the process stopped before this run finished.")
#: A run still "running" without any lease this long after it started belongs to nobody.
ORPHAN_GRACE = timedelta(minutes=1)


def start_run(store_id: int, kind: str, *, trigger: str = "manual", cursor: str | None = None) -> SyncRun:
    run = SyncRun(store_id=store_id, kind=kind, trigger=trigger, status="running", started_at=now(),
                  cursor=cursor, counts_json="{}")
    session().add(run)
    session().commit()
    job = _current_job.get()
    if job is not None:
        job.run_ids.append(run.id)
    return run


def _close_as_interrupted(query_filter, kind: str | None = None) -> int:
    db = session()
    closed = 0
    kinds = [kind] if kind is not None else list(db.scalars(
        select(SyncRun.kind).where(SyncRun.status == "running", *query_filter).distinct()))
    for each in kinds:
        closed += db.execute(
            update(SyncRun).where(SyncRun.status == "running", SyncRun.kind == each, *query_filter)
            .values(status="failed", finished_at=now(), error=in_turkish(INTERRUPTED.get(each, INTERRUPTED_OTHER)))
            .execution_options(synchronize_session=False)).rowcount
    db.commit()
    return closed


def close_interrupted_runs(store_id: int, kind: str) -> int:
    """Runs of the store's ``kind`` still marked running when their lease was just taken:
    their process died (killed, crashed) before it finished them. Closed as failed."""
    closed = _close_as_interrupted([SyncRun.store_id == store_id], kind)
    if closed:
        log.info("store %s: %s %s run(s) of a process that is gone closed as failed", store_id, closed, kind)
    return closed


def close_abandoned_runs() -> int:
    """Every run still marked running whose store lease is gone, expired or held by a dead process.

    Part of the daily housekeeping, for the runs nobody takes the lease of again
    (a store whose sync was switched off after its process died).
    """
    db = session()
    moment = now()
    candidates = db.execute(
        select(SyncRun.id, SyncRun.started_at, StoreLease.holder, StoreLease.expires_at)
        .outerjoin(StoreLease, (StoreLease.store_id == SyncRun.store_id) & (StoreLease.kind == SyncRun.kind))
        .where(SyncRun.status == "running")).all()
    abandoned = [run_id for run_id, started_at, holder, expires_at in candidates
                 if (holder is None and started_at < moment - ORPHAN_GRACE)
                 or (holder is not None and (expires_at < moment or _holder_is_dead(holder)))]
    if not abandoned:
        return 0
    closed = _close_as_interrupted([SyncRun.id.in_(abandoned)])
    log.info("closed %s run(s) of processes that are gone as failed", closed)
    return closed


def prune_runs(days: float | None = None) -> int:
    """Delete finished runs older than AMAZON_TR_RUN_RETENTION_DAYS; the newest run of each store
    and kind stays whatever its age (the scheduler box shows it as the last result)."""
    days = float(setting("AMAZON_TR_RUN_RETENTION_DAYS")) if days is None else days
    cutoff = now() - timedelta(days=days)
    db = session()
    newest = select(func.max(SyncRun.id)).group_by(SyncRun.store_id, SyncRun.kind)
    gone = db.execute(
        delete(SyncRun)
        .where(SyncRun.status != "running", func.coalesce(SyncRun.finished_at, SyncRun.started_at) < cutoff,
               SyncRun.id.notin_(newest))
        .execution_options(synchronize_session=False)).rowcount
    db.commit()
    if gone:
        log.info("deleted %s sync run(s) older than %s days", gone, f"{days:g}")
    return gone


def progress(run: SyncRun, *, commit: bool = True, **counts) -> None:
    """Add to the run's counters (pages, created, updated, skipped, waits…)."""
    merged = run.counts
    for key, value in counts.items():
        merged[key] = merged.get(key, 0) + value
    run.counts = merged
    if commit:
        session().commit()


def finish_run(run: SyncRun, *, error: str | None = None, cursor: str | None = None) -> SyncRun:
    run.status = "failed" if error else "done"
    run.error = error
    run.finished_at = now()
    if cursor is not None:
        run.cursor = cursor
    session().commit()
    return run


def latest_runs(store_id: int, kind: str | None = None, limit: int = 20) -> list[SyncRun]:
    query = select(SyncRun).where(SyncRun.store_id == store_id)
    if kind:
        query = query.where(SyncRun.kind == kind)
    return list(session().scalars(query.order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(limit)))


def get_run(run_id: int) -> SyncRun | None:
    return session().get(SyncRun, run_id)


# --- background work ----------------------------------------------------------------

def _executor() -> ThreadPoolExecutor:
    extras = state().extras
    if "executor" not in extras:
        extras["executor"] = ThreadPoolExecutor(max_workers=4, thread_name_prefix="amazon_tr")
    return extras["executor"]


@dataclass
class _Job:
    """What one background job recorded, so a job that dies leaves no run "running" and says it failed."""

    records: tuple[int, str] | None
    run_ids: list[int] = field(default_factory=list)


_current_job: contextvars.ContextVar[_Job | None] = contextvars.ContextVar("amazon_tr_job", default=None)

FAILED_BEFORE_START = _l("The run could not start because of an unexpected error; try again.")
FAILED_WHILE_RUNNING = _l("The run stopped because of an unexpected error; try again.")


def _record_failure(job: _Job) -> None:
    """After the job raised: its runs still running are closed as failed; a job that died before
    it recorded any run gets a failed one, so the page that said "started" shows what happened."""
    db = session()
    db.rollback()
    moment = now()
    if job.run_ids:
        db.execute(update(SyncRun).where(SyncRun.id.in_(job.run_ids), SyncRun.status == "running")
                   .values(status="failed", finished_at=moment, error=in_turkish(FAILED_WHILE_RUNNING))
                   .execution_options(synchronize_session=False))
    elif job.records is not None:
        store_id, kind = job.records
        if db.get(Store, store_id) is None:
            return  # deleted meanwhile: nobody is waiting for its run
        db.add(SyncRun(store_id=store_id, kind=kind, trigger="manual", status="failed", started_at=moment,
                       finished_at=moment, counts_json="{}", error=in_turkish(FAILED_BEFORE_START)))
    db.commit()


def in_background(fn, *args, records: tuple[int, str] | None = None, **kwargs):
    """Run ``fn`` in a worker thread with its own app context and database session.

    Whatever ``fn`` raises, the runs it started are not left "running": they are
    closed as failed. ``records=(store_id, kind)`` names the run the job is about
    (a button's push): a job that dies before it records one leaves a failed run
    of that store and kind, so the page polling for it shows the failure.
    """
    app = current_app._get_current_object()

    def work():
        with app.app_context():
            job = _Job(records)
            context = _current_job.set(job)
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                log_failure(log, "background Amazon sync failed", exc=exc)
                try:
                    _record_failure(job)
                except Exception as again:  # the database itself is what failed: the log has it
                    log.warning("background Amazon sync: the failure could not be recorded (%s)",
                                type(again).__name__)
                raise
            finally:
                _current_job.reset(context)
                state().db.session.remove()

    return _executor().submit(work)
