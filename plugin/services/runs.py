"""Sync runs, per-store leases and running a sync in the background.

Every sync (button, scheduler or CLI) records a SyncRun, holds the store's lease
for its kind while it works, and reports progress into the run's counts so the
admin page can poll it.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import AmazonTRError
from ..models import StoreLease, SyncRun
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
        return token
    db.add(StoreLease(store_id=store_id, kind=kind, holder=token, expires_at=moment + ttl))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        if _take_from_dead_holder(store_id, kind, token, moment + ttl):
            return token
        raise LeaseBusy(f"store {store_id} {kind} is busy") from None
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

def start_run(store_id: int, kind: str, *, trigger: str = "manual", cursor: str | None = None) -> SyncRun:
    run = SyncRun(store_id=store_id, kind=kind, trigger=trigger, status="running", started_at=now(),
                  cursor=cursor, counts_json="{}")
    session().add(run)
    session().commit()
    return run


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


def in_background(fn, *args, **kwargs):
    """Run ``fn`` in a worker thread with its own app context and database session."""
    app = current_app._get_current_object()

    def work():
        with app.app_context():
            try:
                return fn(*args, **kwargs)
            except Exception:
                log.exception("background Amazon sync failed")
                raise
            finally:
                state().db.session.remove()

    return _executor().submit(work)
