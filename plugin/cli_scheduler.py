"""``flask amazon test STORE`` and ``flask amazon scheduler …``: the services the admin box and buttons call."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .cli import amazon_cli


def _store(ref: str):
    from .models import Store
    from .services import session

    store = session().get(Store, int(ref)) if ref.isdigit() else None
    store = store or session().scalar(select(Store).where(Store.name == ref))
    if store is None:
        raise click.ClickException(f"no Amazon store {ref!r} (give its id or its exact name; see `flask amazon stores`)")
    return store


@amazon_cli.command("test")
@click.argument("store")
@with_appcontext
def test_cmd(store):
    """Run the API test (API'yi test et) of STORE (id or name); exit 1 when it fails."""
    from .services.connection_test import run_api_test

    result = run_api_test(_store(store))
    click.echo(f"{'OK' if result.ok else 'FAILED'}: {result.message}")
    if result.store_name:
        click.echo(f"  store on Amazon: {result.store_name}")
    for check in result.checks:
        click.echo(f"  {check.key}: {check.status}{' - ' + str(check.message) if check.message else ''}")
    if not result.ok:
        raise SystemExit(1)


@amazon_cli.group("scheduler", help="The automatic syncs: who runs them, when, and for which stores.")
def scheduler_group():
    pass


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


@scheduler_group.command("status")
@with_appcontext
def status_cmd():
    """Which process leads, and each store's next run and last result per sync."""
    from .services import schedule

    st = schedule.status()
    if st.leader is None:
        click.echo("leader: none has ever run (set AMAZON_TR_SCHEDULER on in the shop's configuration)")
    else:
        state = "alive" if st.leader_alive else "gone (no heartbeat)"
        click.echo(f"leader: {st.leader.holder} ({st.leader.lock} lock), since {_when(st.leader.since)}, "
                   f"last heartbeat {_when(st.leader.heartbeat_at)}: {state}")
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
@click.argument("kind", type=click.Choice(["orders", "products", "feeds", "purge", "authorizations"]))
@with_appcontext
def run_cmd(kind):
    """Run one tick of KIND now, in this process (for cron instead of AMAZON_TR_SCHEDULER).

    A slot that the scheduler already ran is not run again."""
    from .services import schedule

    report = schedule.run_tick(kind)
    click.echo(f"{kind} slot {report.slot}: ran {sorted(map(str, report.ran))}, already run "
               f"{sorted(map(str, report.skipped))}, failed {sorted(map(str, report.failed))}")
    if report.failed:
        raise SystemExit(1)


@scheduler_group.command("pause")
@click.argument("store")
@with_appcontext
def pause_cmd(store):
    """Stop STORE's scheduled syncs (the buttons still work)."""
    from .services import schedule

    target = _store(store)
    schedule.set_paused(target.id, True)
    click.echo(f"{target.name}: scheduled syncs paused")


@scheduler_group.command("resume")
@click.argument("store")
@with_appcontext
def resume_cmd(store):
    """Let STORE's scheduled syncs run again from the next tick."""
    from .services import schedule

    target = _store(store)
    schedule.set_paused(target.id, False)
    click.echo(f"{target.name}: scheduled syncs resumed")
