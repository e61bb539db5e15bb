"""``flask amazon sync orders STORE`` and ``flask amazon purge``: the order services from the command line."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .cli import amazon_cli


def _sync_group() -> click.Group:
    # Other capabilities add their own ``sync`` subcommands; share one group.
    group = amazon_cli.commands.get("sync")
    if isinstance(group, click.Group):
        return group

    @amazon_cli.group("sync", help="Run a sync of one store now, as the scheduler would.")
    def sync():
        pass

    return sync


def _find_store(ref: str):
    from .models import Store
    from .services import session

    store = session().get(Store, int(ref)) if ref.isdigit() else None
    if store is None:
        store = session().scalar(select(Store).where(Store.name == ref))
    if store is None:
        raise click.BadParameter(f"no Amazon store with id or name {ref!r}", param_hint="STORE")
    return store


@_sync_group().command("orders")
@click.argument("store")
@with_appcontext
def sync_orders(store):
    """Import the store's new and changed Amazon orders (STORE: id or name)."""
    from .services import orders

    found = _find_store(store)
    width = 30

    def show(run):
        c = run.counts
        filled = min(width, c.get("pages", 0))
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] sayfa {c.get('pages', 0)} · "
                   f"{c.get('created', 0)} yeni · {c.get('updated', 0)} güncellendi · "
                   f"{c.get('skipped', 0)} atlandı · {c.get('waits', 0)} bekleme", nl=False)

    run = orders.import_orders(found.id, trigger="cli", on_page=show)
    click.echo("")
    c = run.counts
    if run.status == "done":
        click.echo(f"{found.name}: {c.get('pages', 0)} sayfa, {c.get('created', 0)} yeni, "
                   f"{c.get('updated', 0)} güncellendi, {c.get('skipped', 0)} atlandı, "
                   f"{c.get('unchanged', 0)} değişmedi, {c.get('waits', 0)} bekleme")
        return
    click.echo(f"{found.name}: {run.error}", err=True)
    raise SystemExit(1 if run.status == "failed" else 0)


@amazon_cli.command("purge")
@with_appcontext
def purge():
    """Empty buyers' personal data of orders shipped or cancelled more than 30 days ago."""
    from .services import orders

    count = orders.purge_personal_data()
    click.echo(f"{count} siparişin alıcı bilgileri silindi.")
