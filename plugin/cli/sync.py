"""``flask amazon sync orders|products|inventory STORE`` and ``flask amazon purge``: a sync now, in this process."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..services import orders
from ..services.listings import BLOCKED_REASONS, LeaseBusy, inventory, push_products
from .params import STORE


@click.group("sync", help="Run a sync of one store now, in this process, as the scheduler would.")
def sync_group():
    pass


@sync_group.command("orders")
@click.argument("store", type=STORE)
@with_appcontext
def sync_orders(store):
    """Import the store's new and changed Amazon orders (STORE: id or name)."""
    width = 30

    def show(run):
        c = run.counts
        filled = min(width, c.get("pages", 0))
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] sayfa {c.get('pages', 0)} · "
                   f"{c.get('created', 0)} yeni · {c.get('updated', 0)} güncellendi · "
                   f"{c.get('skipped', 0)} atlandı · {c.get('waits', 0)} bekleme", nl=False)

    run = orders.import_orders(store.id, trigger="cli", on_page=show)
    click.echo("")
    c = run.counts
    if run.status == "done":
        click.echo(f"{store.name}: {c.get('pages', 0)} sayfa, {c.get('created', 0)} yeni, "
                   f"{c.get('updated', 0)} güncellendi, {c.get('skipped', 0)} atlandı, "
                   f"{c.get('unchanged', 0)} değişmedi, {c.get('waits', 0)} bekleme")
        return
    click.echo(f"{store.name}: {run.error}", err=True)
    raise SystemExit(1 if run.status == "failed" else 0)


@sync_group.command("products")
@click.argument("store", type=STORE)
@click.option("--sku", "skus", multiple=True, help="Only these SKUs (repeatable).")
@click.option("--no-wait", is_flag=True, help="Do not wait for Amazon to process the feeds.")
@with_appcontext
def sync_products(store, skus, no_wait):
    """Send STORE's products (id or name) to Amazon by its auto-update type."""
    with click.progressbar(length=100, label=f"{store.name}: sending", show_percent=False) as bar:
        def on_poll(pusher):
            # one tick per poll while Amazon processes the feeds
            bar.update(1)

        try:
            run = push_products(store.id, trigger="cli", skus=list(skus) or None, wait=not no_wait,
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


@sync_group.command("inventory")
@click.argument("store", type=STORE)
@click.option("--changed", is_flag=True, help="Only what changed on Amazon since the last reading.")
@with_appcontext
def sync_inventory(store, changed):
    """Read STORE's listings on Amazon (id or name): what the first product update must not overwrite."""
    try:
        run = inventory.read_inventory(store.id, trigger="cli", full=not changed)
    except LeaseBusy:
        raise click.ClickException("bu mağazanın başka bir ürün güncellemesi sürüyor") from None
    c = run.counts
    if run.error:
        raise click.ClickException(run.error)
    click.echo(f"{store.name}: {c.get('listings', 0)} ilan okundu ({c.get('inventory_pages', 0)} sayfa). "
               f"Amazon'da {c.get('on_amazon', 0)} ilan · SKU ile eşleşen {c.get('by_sku', 0)} · "
               f"EAN ile eşleşen {c.get('by_ean', 0)} · yalnızca Amazon'da {c.get('only_on_amazon', 0)} · "
               f"yalnızca mağazada {c.get('only_in_shop', 0)} · FBA {c.get('fba', 0)}")


@click.command("purge")
@with_appcontext
def purge_cmd():
    """Empty buyers' personal data of orders shipped or cancelled more than 30 days ago."""
    count = orders.purge_personal_data()
    click.echo(f"{count} siparişin alıcı bilgileri silindi.")
