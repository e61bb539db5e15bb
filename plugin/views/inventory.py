"""Amazon'daki mevcut ilanlar: reading the seller's listings on Amazon before the first push, with progress."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from ..i18n import gettext as _
from ..services.listings import inventory
from ..services.runs import LeaseBusy
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, store_or_404
from .products_parts import list_args, list_query, render_oob


def _box(store, message=None, kind="success", polled=False):
    run = inventory.last_pass(store.id)
    html = render_template("amazon_tr/products/_inventory.html", store=store, run=run,
                           read_at=inventory.read_at(store.id), message=message, kind=kind,
                           list_query=list_query(**list_args()))
    if polled and run is not None and run.status != "running":
        # the pass ended: the "read them first" warning, the rows' Amazon statuses and the counts change
        from .products import _helpers
        html += render_oob(store, _helpers(), blocked=True, links=True)
    return html


@bp.route("/stores/<int:store_id>/products/inventory")
def inventory_status(store_id: int):
    """The box on the products page; it polls itself while a pass runs, then renders what the pass changed."""
    return _box(store_or_404(store_id), polled=True)


@bp.route("/stores/<int:store_id>/products/inventory", methods=["POST"])
def inventory_read(store_id: int):
    """Start a pass in the background; the box shows its progress."""
    store = store_or_404(store_id)
    running = inventory.last_pass(store.id)
    if running is not None and running.status == "running":
        message, kind = _("Your listings on Amazon are being read already."), "warning"
    else:
        try:
            inventory.start_read(store.id, full=True)
            message, kind = _("Reading your listings on Amazon has started."), "success"
        except LeaseBusy:
            message, kind = _("Another update of this store is running; try again in a moment."), "warning"
    if is_htmx():
        return _box(store, message, kind)
    flash(message, "amazon_tr-success" if kind == "success" else "amazon_tr-error")
    return redirect(url_for(".products", store_id=store.id))
