"""What the scheduler runs, when, and for which stores: the rules behind the jobs and the admin box.

Every kind of job runs on a grid of time slots: slot n of a kind starts at
n × interval seconds after the epoch. Every process computes the same grid, and
a job claims its slot in the database before it works (one row per job and slot,
the primary key refuses a second), so a tick runs once per slot even when the leadership moves between processes
in the middle of it, and a new leader can safely catch up at once.

The store list is read at every tick: a store made passive, switched off,
paused or deleted drops out at the next tick, a new or resumed one joins it.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..logsafe import log_failure
from ..config import setting
from ..models import Store, SyncRun
from ..models.scheduler import SchedulerClaim, SchedulerLeader, SchedulerStore
from . import runs, session, state
from .amazon import can_sync
from .listings import LeaseBusy, poll_feeds, push_products
from .orders import import_orders, purge_personal_data
from .shipments import send_due
from .stores import delete_leftovers

log = logging.getLogger("amazon_tr")

DAILY = 86400.0


@dataclass(frozen=True)
class Kind:
    name: str
    interval_key: str | None  # None: daily
    store_flag: str | None  # the store's own switch for this sync; None: not per store
    run_kind: str | None  # SyncRun.kind the service records, for "last result"


KINDS: dict[str, Kind] = {
    "orders": Kind("orders", "AMAZON_TR_ORDER_INTERVAL", "order_import", "orders"),
    "products": Kind("products", "AMAZON_TR_PRODUCT_INTERVAL", "product_update", "products"),
    "feeds": Kind("feeds", "AMAZON_TR_FEED_POLL_INTERVAL", "product_update", None),
    # Shipments the shop signalled are sent at once; this tick retries the ones Amazon refused for a while.
    "shipments": Kind("shipments", "AMAZON_TR_SHIPMENT_INTERVAL", "order_import", "shipments"),
    "purge": Kind("purge", None, None, None),
    "authorizations": Kind("authorizations", None, None, None),
}
STORE_KINDS = [k for k in KINDS.values() if k.store_flag]
SHOP_KINDS = [k for k in KINDS.values() if not k.store_flag]


def interval(kind: str) -> float:
    key = KINDS[kind].interval_key
    if key is None:
        return DAILY
    return float(setting(key))  # validated above zero at init_app


def slot_of(kind: str, when: float | None = None) -> int:
    return math.floor((time.time() if when is None else when) / interval(kind))


def slot_start(kind: str, slot: int) -> datetime:
    return datetime.fromtimestamp(slot * interval(kind), timezone.utc)


def job_key(kind: str, store_id: int | None = None) -> str:
    return kind if store_id is None else f"{kind}:{store_id}"


# --- pause ----------------------------------------------------------------------------

def paused_store_ids() -> set[int]:
    return set(session().scalars(select(SchedulerStore.store_id).where(SchedulerStore.paused_at.is_not(None))))


def set_paused(store_id: int, paused: bool) -> bool:
    """Pause or resume a store's scheduled syncs; False when there is no such store."""
    db = session()
    if db.get(Store, store_id) is None:
        return False
    row = db.get(SchedulerStore, store_id)
    if row is None:
        row = SchedulerStore(store_id=store_id)
        db.add(row)
    row.paused_at = runs.now() if paused else None
    db.commit()
    log.info("store %s: scheduled syncs %s", store_id, "paused" if paused else "resumed")
    return True


# --- who runs --------------------------------------------------------------------------

def why_not_scheduled(store: Store, kind: str, paused: set[int]) -> str | None:
    """None when the scheduler runs ``kind`` for the store, else a short reason code."""
    if not store.active:
        return "passive"
    if store.id in paused:
        return "paused"
    flag = KINDS[kind].store_flag
    if flag and not getattr(store, flag):
        return "off"
    if not can_sync(store):
        return "unauthorized"
    return None


def eligible_store_ids(kind: str) -> list[int]:
    paused = paused_store_ids()
    stores = session().scalars(select(Store).where(Store.active.is_(True)).order_by(Store.id))
    return [s.id for s in stores if why_not_scheduled(s, kind, paused) is None]


def claim(kind: str, slot: int, store_id: int | None = None) -> bool:
    """Take ``slot`` of the job for this process; False when some process already has it."""
    db = session()
    db.add(SchedulerClaim(job=job_key(kind, store_id), slot=slot, store_id=store_id, claimed_at=runs.now(),
                          holder=runs.HOLDER))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


def _note_run(kind: str, slot: int, store_id: int, result) -> None:
    if isinstance(result, SyncRun) and result.id is not None:
        session().execute(update(SchedulerClaim).where(SchedulerClaim.job == job_key(kind, store_id),
                                                       SchedulerClaim.slot == slot).values(run_id=result.id))
        session().commit()


def prune_claims(keep: timedelta = timedelta(days=2)) -> int:
    db = session()
    gone = db.execute(delete(SchedulerClaim).where(SchedulerClaim.claimed_at < runs.now() - keep)).rowcount
    db.commit()
    return gone


# --- the jobs ----------------------------------------------------------------------------

@dataclass
class TickReport:
    kind: str
    slot: int
    ran: dict = field(default_factory=dict)  # store id (or the kind) -> what the service answered
    skipped: list = field(default_factory=list)  # already run in this slot by some process
    failed: dict = field(default_factory=dict)


def _push_scheduled(store_id):
    try:
        return push_products(store_id, trigger="scheduler")
    except LeaseBusy:
        return "busy"  # a manual push of this store is running: it does this tick's work


def _purge():
    """The daily housekeeping. Buyers' data first (the law's deadline); then the bookkeeping, each
    part on its own, so one that fails leaves the others done. Returns how many orders were purged."""
    purged = purge_personal_data()
    for chore in (prune_claims, runs.close_abandoned_runs, runs.prune_runs, delete_leftovers):
        try:
            chore()
        except Exception as exc:
            session().rollback()
            log.warning("scheduler: housekeeping step %s failed: %s", chore.__name__, type(exc).__name__)
    return purged


def _service(kind: str):
    """The service function one tick of ``kind`` calls for each target."""
    services = {
        "orders": lambda store_id: import_orders(store_id, trigger="scheduler"),
        "products": _push_scheduled,
        "feeds": poll_feeds,
        "shipments": lambda store_id: send_due(store_id, trigger="scheduler"),
        "purge": _purge,
        "authorizations": check_authorizations,
    }
    return services[kind]


def run_tick(kind: str, *, when: float | None = None) -> TickReport:
    """One tick of ``kind``: every eligible store (or the shop, for daily jobs) whose slot is still free.

    Call it inside an app context. The job functions of the scheduler and the
    ``flask amazon scheduler run`` command call this.
    """
    report = TickReport(kind, slot_of(kind, when))
    fn = _service(kind)
    with _tick_locks[kind]:
        _run_targets(kind, fn, report, when)
    if report.ran or report.failed:
        log.info("scheduler: %s slot %s ran %s, failed %s", kind, report.slot, sorted(map(str, report.ran)),
                 sorted(map(str, report.failed)))
    return report


# A new leader's catch-up and the regular tick of a kind must not overlap in one process.
_tick_locks = {kind: threading.Lock() for kind in KINDS}


def _run_targets(kind: str, fn, report: TickReport, when: float | None) -> None:
    targets = eligible_store_ids(kind) if KINDS[kind].store_flag else [None]
    session().remove()
    for store_id in targets:
        name = store_id if store_id is not None else kind
        # The slot of the moment the store's run starts: a long tick that spills into the
        # next slot claims that one, so the next tick does not run the store a second time.
        slot = slot_of(kind, when)
        try:
            if not claim(kind, slot, store_id):
                report.skipped.append(name)
                continue
            result = fn(store_id) if store_id is not None else fn()
            report.ran[name] = _describe(result)
            if store_id is not None:
                _note_run(kind, slot, store_id, result)
        except Exception as exc:
            log_failure(log, "scheduler: %s of store %s failed", kind, store_id, exc=exc)
            report.failed[name] = type(exc).__name__
        finally:
            # One session per store: one store's failure leaves nothing behind for the next.
            session().remove()


def _describe(result):
    if isinstance(result, SyncRun):
        return {"run_id": result.id, "status": result.status}
    return result


def check_authorizations() -> dict[int, str]:
    """Log the stores whose authorization expires within 30 days (or already ended), and those whose
    stored authorization no configured key decrypts any more.

    Expired and revoked stores need nothing else: every sync skips them because
    ``can_sync`` is false, and the store list shows the state to the staff.
    """
    now = state().clock.now()
    found = {}
    for store in session().scalars(select(Store).where(Store.active.is_(True)).order_by(Store.id)):
        auth = store.authorization_state(now)
        if auth in ("ok", "expiring") and store.refresh_token_unreadable():
            log.warning("store %s (%s): no key in AMAZON_TR_ENCRYPTION_KEY decrypts its Amazon authorization, so "
                        "every sync of it fails; add the old key back and run `flask amazon rotate-key`, or "
                        "authorize the store again", store.id, store.name)
            found[store.id] = "unreadable"
            continue
        if auth == "expiring":
            ends = store.authorization_expires_at
            if ends <= now:
                # Only Amazon ends a grant (invalid_grant): syncs go on until it does.
                log.warning("store %s (%s): the Amazon authorization's date (%s) has passed; syncs go on until "
                            "Amazon refuses it; authorize it again", store.id, store.name, ends.date().isoformat())
            else:
                log.warning("store %s (%s): the Amazon authorization ends on %s, in %s day(s); authorize it again",
                            store.id, store.name, ends.date().isoformat(), max(0, (ends - now).days))
        elif auth in ("mismatch", "revoked"):
            log.warning("store %s (%s): the Amazon authorization is %s; its syncs are stopped until it is "
                        "authorized again", store.id, store.name, auth)
        else:
            continue
        found[store.id] = auth
    return found


# --- leader row -----------------------------------------------------------------------------

def record_leader(holder: str, lock_kind: str, since: datetime) -> None:
    db = session()
    row = db.get(SchedulerLeader, 1)
    moment = runs.now()
    if row is None:
        db.add(SchedulerLeader(id=1, holder=holder, lock=lock_kind, since=since, heartbeat_at=moment))
    else:
        row.holder, row.lock, row.since, row.heartbeat_at = holder, lock_kind, since, moment
    try:
        db.commit()
    except IntegrityError:  # the row was made by the previous leader a moment ago
        db.rollback()
        record_leader(holder, lock_kind, since)


def heartbeat(holder: str) -> bool:
    db = session()
    done = db.execute(update(SchedulerLeader).where(SchedulerLeader.id == 1, SchedulerLeader.holder == holder)
                      .values(heartbeat_at=runs.now())).rowcount
    db.commit()
    return bool(done)


def clear_leader(holder: str) -> None:
    db = session()
    db.execute(update(SchedulerLeader).where(SchedulerLeader.id == 1, SchedulerLeader.holder == holder)
               .values(heartbeat_at=datetime(1970, 1, 1, tzinfo=timezone.utc)))
    db.commit()


# --- status, for the admin box and the CLI ---------------------------------------------------

@dataclass
class JobStatus:
    kind: str
    reason: str | None  # why it does not run for this store, None when it does
    next_at: datetime | None
    last_run: SyncRun | None = None
    last_claimed_at: datetime | None = None


@dataclass
class StoreStatus:
    store: Store
    paused: bool
    jobs: list[JobStatus]


@dataclass
class SchedulerStatus:
    enabled_here: bool
    role_here: str  # leader, follower, off
    leader: SchedulerLeader | None
    leader_alive: bool
    stores: list[StoreStatus]
    shop_jobs: list[JobStatus]
    now: datetime


def leader_timeout() -> timedelta:
    # Three missed heartbeats: the leader is gone (or stuck) and a follower takes over soon.
    return timedelta(seconds=3 * float(setting("AMAZON_TR_SCHEDULER_RETRY")) + 5)


def _latest_run_per_store_and_kind() -> dict[tuple[int, str], SyncRun]:
    """The newest run of every store and kind in one query, whatever the number of stores."""
    newest = (select(SyncRun.id, func.row_number().over(
        partition_by=(SyncRun.store_id, SyncRun.kind),
        order_by=(SyncRun.started_at.desc(), SyncRun.id.desc())).label("rank"))
        .where(SyncRun.kind.in_([k.run_kind for k in STORE_KINDS if k.run_kind])).subquery())
    found = session().scalars(select(SyncRun).join(newest, SyncRun.id == newest.c.id).where(newest.c.rank == 1))
    return {(run.store_id, run.kind): run for run in found}


def status() -> SchedulerStatus:
    db = session()
    st = state()
    now = runs.now()
    host = st.scheduler
    leader = db.get(SchedulerLeader, 1)
    alive = leader is not None and now - leader.heartbeat_at <= leader_timeout()
    claims = dict(db.execute(select(SchedulerClaim.job, func.max(SchedulerClaim.claimed_at))
                             .group_by(SchedulerClaim.job)).all())
    paused = paused_store_ids()
    stamp = now.timestamp()

    def next_at(kind: str, reason: str | None):
        if reason is not None or not alive:
            return None
        return slot_start(kind, slot_of(kind, stamp) + 1)

    last_runs = _latest_run_per_store_and_kind()
    stores = []
    for store in db.scalars(select(Store).order_by(Store.name)):
        jobs = []
        for kind in STORE_KINDS:
            reason = why_not_scheduled(store, kind.name, paused)
            last = last_runs.get((store.id, kind.run_kind)) if kind.run_kind else None
            jobs.append(JobStatus(kind.name, reason, next_at(kind.name, reason), last,
                                  claims.get(job_key(kind.name, store.id))))
        stores.append(StoreStatus(store, store.id in paused, jobs))
    shop_jobs = []
    for kind in SHOP_KINDS:
        shop_jobs.append(JobStatus(kind.name, None, next_at(kind.name, None), None, claims.get(kind.name)))
    return SchedulerStatus(
        enabled_here=setting("AMAZON_TR_SCHEDULER"),
        role_here=getattr(host, "role", "off") if host is not None else "off",
        leader=leader, leader_alive=alive, stores=stores, shop_jobs=shop_jobs, now=now)
