"""``flask amazon sync orders|products|inventory STORE`` and ``flask amazon purge``: a sync now, in this process."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..i18n import lazy_gettext as _l
from ..services import orders
from ..services.listings import BLOCKED_REASONS, LeaseBusy, inventory, push_products
from .params import STORE
from .text import gettext as _
from .text import label, say

# A product update's counts, in the order they are said; a count not listed here is not shown.
PRODUCT_COUNTS = {
    "products": _l("products"), "accepted": _l("accepted by Amazon"), "errors": _l("errors"),
    "locked": _l("catalog locked"), "price_held": _l("price held"), "deferred": _l("waiting for the previous feed"),
    "puts": _l("listings created"), "patches": _l("listings updated"), "feeds": _l("feeds sent"),
    "feeds_failed": _l("feeds failed"), "feeds_lost": _l("feeds lost"), "feeds_expired": _l("feeds expired"),
    "feeds_cancelled": _l("feeds cancelled"), "feeds_unconfirmed": _l("feeds not confirmed"),
    "missing_attributes": _l("missing attributes"), "catalog_matches": _l("matched in Amazon's catalog"),
    "feed_messages": _l("products in feeds"), "new_links": _l("new links"),
    "existing_on_amazon": _l("already on Amazon"), "calls": _l("calls to Amazon"),
}


@click.group("sync", help="Run a sync of one store now, in this process, as the scheduler would.")
def sync_group():
    pass


@sync_group.command("orders")
@click.argument("store", type=STORE)
@with_appcontext
def sync_orders(store):
    """Import the store's new and changed Amazon orders (STORE: id or name). Exit 1 when the import failed."""
    width = 30

    def show(run):
        c = run.counts
        filled = min(width, c.get("pages", 0))
        click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] " + _(
            "page %(pages)s · %(created)s new · %(updated)s updated · %(skipped)s skipped · %(waits)s waits",
            pages=c.get("pages", 0), created=c.get("created", 0), updated=c.get("updated", 0),
            skipped=c.get("skipped", 0), waits=c.get("waits", 0)), nl=False)

    run = orders.import_orders(store.id, trigger="cli", on_page=show)
    click.echo("")
    c = run.counts
    if run.status == "done":
        click.echo(_("%(name)s: %(pages)s pages, %(created)s new, %(updated)s updated, %(skipped)s skipped, "
                     "%(unchanged)s unchanged, %(waits)s waits", name=store.name, pages=c.get("pages", 0),
                     created=c.get("created", 0), updated=c.get("updated", 0), skipped=c.get("skipped", 0),
                     unchanged=c.get("unchanged", 0), waits=c.get("waits", 0)))
        return
    # The run's error is stored text (in Turkish, the shop staff's language: i18n.in_turkish).
    click.echo(f"{store.name}: {run.error}", err=True)
    raise SystemExit(1 if run.status == "failed" else 0)


@sync_group.command("products")
@click.argument("store", type=STORE)
@click.option("--sku", "skus", multiple=True, help="Only these SKUs (repeatable).")
@click.option("--no-wait", is_flag=True, help="Do not wait for Amazon to process the feeds.")
@with_appcontext
def sync_products(store, skus, no_wait):
    """Send STORE's products (id or name) to Amazon by its auto-update type.

    Exit 1 when the update failed or Amazon refused a product (the error count is shown)."""
    with click.progressbar(length=100, label=_("%(name)s: sending", name=store.name), show_percent=False) as bar:
        def on_poll(pusher):
            # one tick per poll while Amazon processes the feeds
            bar.update(1)

        try:
            run = push_products(store.id, trigger="cli", skus=list(skus) or None, wait=not no_wait,
                                on_poll=on_poll)
        except LeaseBusy:
            raise click.ClickException(_("another product update of this store is running")) from None
        bar.update(100)
    if run.cursor and run.cursor.startswith("skipped:"):
        click.echo(say(BLOCKED_REASONS[run.cursor[8:]]))
        return
    counts = run.counts
    errors = counts.get("errors", 0)
    said = [f"{label(PRODUCT_COUNTS, key)}: {counts[key]}" for key in PRODUCT_COUNTS
            if key != "errors" and counts.get(key)]
    click.echo(" · ".join(said + [_("errors: %(count)s", count=errors)]))
    if run.error:
        raise click.ClickException(run.error)
    if errors:
        click.echo(_("Amazon refused %(count)s products: see the products page for each one's issues.",
                     count=errors), err=True)
        raise SystemExit(1)


@sync_group.command("inventory")
@click.argument("store", type=STORE)
@click.option("--changed", is_flag=True, help="Only what changed on Amazon since the last reading.")
@with_appcontext
def sync_inventory(store, changed):
    """Read STORE's listings on Amazon (id or name): what the first product update must not overwrite."""
    try:
        run = inventory.read_inventory(store.id, trigger="cli", full=not changed)
    except LeaseBusy:
        raise click.ClickException(_("another product update of this store is running")) from None
    c = run.counts
    if run.error:
        raise click.ClickException(run.error)
    click.echo(_("%(name)s: %(listings)s listings read (%(pages)s pages). On Amazon %(on_amazon)s listings · "
                 "matched by SKU %(by_sku)s · matched by EAN %(by_ean)s · only on Amazon %(only_on_amazon)s · "
                 "only in the shop %(only_in_shop)s · FBA %(fba)s", name=store.name,
                 listings=c.get("listings", 0), pages=c.get("inventory_pages", 0), on_amazon=c.get("on_amazon", 0),
                 by_sku=c.get("by_sku", 0), by_ean=c.get("by_ean", 0), only_on_amazon=c.get("only_on_amazon", 0),
                 only_in_shop=c.get("only_in_shop", 0), fba=c.get("fba", 0)))


@click.command("purge")
@with_appcontext
def purge_cmd():
    """Empty buyers' personal data of orders shipped or cancelled more than 30 days ago."""
    count = orders.purge_personal_data()
    click.echo(_("The buyer details of %(count)s orders were deleted.", count=count))
