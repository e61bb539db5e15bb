"""``flask amazon scheduler …``: the services the scheduler box and its buttons call."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import schedule
from .params import STORE


@click.group("scheduler", help="The automatic syncs: who runs them, when, and for which stores.")
def scheduler_group():
    pass


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


@scheduler_group.command("status")
@with_appcontext
def status_cmd():
    """Which process leads, and each store's next run and last result per sync."""
    st = schedule.status()
    if st.leader is None:
        click.echo("leader: none has ever run (set AMAZON_TR_SCHEDULER on in the shop's configuration)")
    else:
        alive = "alive" if st.leader_alive else "gone (no heartbeat)"
        click.echo(f"leader: {st.leader.holder} ({st.leader.lock} lock), since {_when(st.leader.since)}, "
                   f"last heartbeat {_when(st.leader.heartbeat_at)}: {alive}")
    click.echo(f"this process: {st.role_here}")
    for row in st.stores:
        click.echo(f"{row.store.id}\t{row.store.name}{'  [paused]' if row.paused else ''}")
        for job in row.jobs:
            last = job.last_run
            result = f"{last.status} at {_when(last.finished_at or last.started_at)}" if last else \
                (f"ran at {_when(job.last_claimed_at)}" if job.last_claimed_at else "never ran")
            when = job.reason or _when(job.next_at)
            click.echo(f"\t{job.kind}\tnext: {when}\tlast: {result}")
    for job in st.shop_jobs:
        click.echo(f"{job.kind}\tnext: {_when(job.next_at)}\tlast: {_when(job.last_claimed_at)}")


@scheduler_group.command("run")
@click.argument("kind", type=click.Choice(sorted(schedule.KINDS)))
@with_appcontext
def run_cmd(kind):
    """Run one tick of KIND now, in this process (for cron instead of AMAZON_TR_SCHEDULER).

    A slot that the scheduler already ran is not run again."""
    report = schedule.run_tick(kind)
    click.echo(f"{kind} slot {report.slot}: ran {sorted(map(str, report.ran))}, already run "
               f"{sorted(map(str, report.skipped))}, failed {sorted(map(str, report.failed))}")
    if report.failed:
        raise SystemExit(1)


@scheduler_group.command("pause")
@click.argument("store", type=STORE)
@with_appcontext
def pause_cmd(store):
    """Stop STORE's scheduled syncs (the buttons still work)."""
    schedule.set_paused(store.id, True)
    click.echo(f"{store.name}: scheduled syncs paused")


@scheduler_group.command("resume")
@click.argument("store", type=STORE)
@with_appcontext
def resume_cmd(store):
    """Let STORE's scheduled syncs run again from the next tick."""
    schedule.set_paused(store.id, False)
    click.echo(f"{store.name}: scheduled syncs resumed")
