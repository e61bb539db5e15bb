"""``flask amazon scheduler …``: the services the scheduler box and its buttons call."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import schedule
from .params import STORE
from .text import KINDS, REASONS, ROLES, RUN_STATES, label
from .text import gettext as _
from .text import when as _when


@click.group("scheduler", help="The automatic syncs: who runs them, when, and for which stores.")
def scheduler_group():
    pass


def _stores(ids) -> str:
    return ", ".join(sorted(map(str, ids))) or "—"


@scheduler_group.command("status")
@with_appcontext
def status_cmd():
    """Which process leads, and each store's next run and last result per sync."""
    st = schedule.status()
    if st.leader is None:
        click.echo(_("Leader: no process has ever run the schedule (set AMAZON_TR_SCHEDULER on in the shop's "
                     "configuration)"))
    else:
        alive = _("alive") if st.leader_alive else _("gone (no heartbeat)")
        click.echo(_("Leader: %(holder)s, since %(since)s, last heartbeat %(seen)s: %(alive)s",
                     holder=st.leader.holder, since=_when(st.leader.since), seen=_when(st.leader.heartbeat_at),
                     alive=alive))
    click.echo(_("This process: %(role)s", role=label(ROLES, st.role_here)))
    for row in st.stores:
        paused = "  [" + _("Paused") + "]" if row.paused else ""
        click.echo(f"{row.store.id}\t{row.store.name}{paused}")
        for job in row.jobs:
            last = job.last_run
            if last:
                result = _("%(state)s at %(time)s", state=label(RUN_STATES, last.status),
                           time=_when(last.finished_at or last.started_at))
            elif job.last_claimed_at:
                result = _("ran at %(time)s", time=_when(job.last_claimed_at))
            else:
                result = _("Not run yet")
            when = label(REASONS, job.reason) if job.reason else _when(job.next_at)
            click.echo("\t" + label(KINDS, job.kind) + "\t" + _("next: %(when)s", when=when) + "\t"
                       + _("last: %(result)s", result=result))
    for job in st.shop_jobs:
        click.echo(label(KINDS, job.kind) + "\t" + _("next: %(when)s", when=_when(job.next_at)) + "\t"
                   + _("last: %(result)s", result=_when(job.last_claimed_at)))


@scheduler_group.command("run")
@click.argument("kind", type=click.Choice(sorted(schedule.KINDS)))
@with_appcontext
def run_cmd(kind):
    """Run one tick of KIND now, in this process (for cron instead of AMAZON_TR_SCHEDULER).

    A slot that the scheduler already ran is not run again. Exit 1 when a store's run failed."""
    report = schedule.run_tick(kind)
    click.echo(_("%(kind)s, slot %(slot)s: ran for stores %(ran)s; already run %(skipped)s; failed %(failed)s",
                 kind=label(KINDS, kind), slot=report.slot, ran=_stores(report.ran),
                 skipped=_stores(report.skipped), failed=_stores(report.failed)))
    if report.failed:
        raise SystemExit(1)


@scheduler_group.command("pause")
@click.argument("store", type=STORE)
@with_appcontext
def pause_cmd(store):
    """Stop STORE's scheduled syncs (the buttons still work)."""
    schedule.set_paused(store.id, True)
    click.echo(_("%(name)s: scheduled syncs paused", name=store.name))


@scheduler_group.command("resume")
@click.argument("store", type=STORE)
@with_appcontext
def resume_cmd(store):
    """Let STORE's scheduled syncs run again from the next tick."""
    schedule.set_paused(store.id, False)
    click.echo(_("%(name)s: scheduled syncs resumed", name=store.name))
