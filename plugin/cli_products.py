"""``flask amazon sync products STORE``: the same push the Şimdi gönder button starts."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .cli import amazon_cli


@amazon_cli.group("sync", help="Run a sync now, in this process.")
def sync_group():
    pass


@sync_group.command("products")
@click.argument("store")
@click.option("--sku", "skus", multiple=True, help="Only these SKUs (repeatable).")
@click.option("--no-wait", is_flag=True, help="Do not wait for Amazon to process the feeds.")
@with_appcontext
def sync_products(store, skus, no_wait):
    """Send STORE's products (id or name) to Amazon by its auto-update type."""
    from .models import Store
    from .services import session
    from .services.listings import BLOCKED_REASONS, LeaseBusy, push_products

    found = session().get(Store, int(store)) if store.isdigit() else None
    found = found or session().scalar(select(Store).where(Store.name == store))
    if found is None:
        raise click.ClickException(f"no Amazon store {store!r}")
    with click.progressbar(length=100, label=f"{found.name}: sending", show_percent=False) as bar:
        def on_poll(pusher):
            # one tick per poll while Amazon processes the feeds
            bar.update(1)

        try:
            run = push_products(found.id, trigger="cli", skus=list(skus) or None, wait=not no_wait,
                                on_poll=on_poll)
        except LeaseBusy:
            raise click.ClickException("another product update of this store is running") from None
        bar.update(100)
    if run.cursor and run.cursor.startswith("skipped:"):
        click.echo(str(BLOCKED_REASONS[run.cursor[8:]]))
        return
    counts = run.counts
    click.echo(" ".join(f"{k}={counts[k]}" for k in sorted(counts)))
    if run.error:
        raise click.ClickException(run.error)
