"""Sipariş Aktarımı in the admin panel: the store page's box, live progress, the history page."""
from __future__ import annotations

from datetime import datetime, time, timezone

from flask import abort, flash, make_response, redirect, render_template, url_for

from ..forms_orders import ImportOneForm, OrderSettingsForm, ReimportForm
from ..i18n import gettext as _
from ..models import SyncRun
from ..services import orders as order_service
from ..services import runs as run_service
from ..spapi.constants import MARKETPLACE_TZ as SHOP_TZ
from . import formatting
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, store_or_404


@bp.context_processor
def _order_helpers():
    # order_details: what amazon_tr/orders/_details.html shows of one order (any page may include it)
    return {"orders_money": formatting.money_try, "order_details": order_service.order_details,
            "ship_by_mark": order_service.ship_by_mark}


def _run_of(store_id: int, run_id: int) -> SyncRun:
    run = run_service.get_run(run_id)
    if run is None or run.store_id != store_id or run.kind != order_service.KIND:
        abort(404)
    return run


def box_context(store, run=None):
    """What the store page's Sipariş Aktarımı box shows: the running or last run, why import is blocked, skipped orders."""
    if run is None:
        run = order_service.current_run(store.id) or next(iter(run_service.latest_runs(store.id, order_service.KIND, 1)),
                                                          None)
    return {"run": run, "blocked": order_service.why_not(store),
            "skipped_count": len(order_service.skipped_orders(store.id, limit=100))}


@bp.route("/stores/<int:store_id>/orders/box")
def orders_box(store_id: int):
    store = store_or_404(store_id)
    return render_template("amazon_tr/stores/_orders_box.html", store=store, box=box_context(store))


@bp.route("/stores/<int:store_id>/orders/import", methods=["POST"])
def orders_import(store_id: int):
    store = store_or_404(store_id)
    form = ReimportForm()
    if not form.validate():
        return _answer(store, None, form.error_map()["since"], "error")
    since = None
    if form.since.data is not None:
        try:
            since = datetime.combine(form.since.data, time.min, tzinfo=SHOP_TZ).astimezone(timezone.utc)
        except OverflowError:  # midnight of 0001-01-01 in Türkiye falls before year 1 in UTC
            return _answer(store, None, _("The date is too far in the past."), "error")
        if since > run_service.now():
            return _answer(store, None, _("The date cannot be in the future."), "error")
    run = order_service.start_import(store.id, since=since)
    if run.status == "skipped":
        return _answer(store, None, run.error, "warning")
    return _answer(store, run, _("Order import started."), "success")


@bp.route("/stores/<int:store_id>/orders/import-one", methods=["POST"])
def orders_import_one(store_id: int):
    store = store_or_404(store_id)
    form = ImportOneForm()
    number = form.amazon_order_id.data or ""
    run = order_service.import_one(store.id, number)
    if run.status == "done":
        if run.counts.get("skipped"):
            message, kind = _("The order was not imported: it has a stock code the shop does not know."), "warning"
        else:
            message, kind = _("Order %(number)s was imported.", number=number), "success"
    else:
        message, kind = run.error, ("warning" if run.status == "skipped" else "error")
    flash(message, f"amazon_tr-{kind}")
    return redirect(url_for(".orders_history", store_id=store.id))


def _answer(store, run, message, kind):
    """The box alone for htmx; a redirect to the history page (which shows the run) without JavaScript."""
    if is_htmx():
        return render_template("amazon_tr/stores/_orders_box.html", message=message, message_kind=kind, store=store,
                               box=box_context(store, run))
    flash(message, f"amazon_tr-{kind}")
    return redirect(url_for(".orders_history", store_id=store.id))


@bp.route("/stores/<int:store_id>/orders/runs/<int:run_id>")
def orders_progress(store_id: int, run_id: int):
    run = _run_of(store_id, run_id)
    response = make_response(render_template("amazon_tr/orders/_progress.html", store=store_or_404(store_id), run=run))
    if run.status != "running":
        # The box around the progress re-reads itself: its button comes back to life.
        response.headers["HX-Trigger"] = "amazon-tr-orders-finished"
    return response


def _history_page(store, form: OrderSettingsForm, errors: dict):
    return render_template(
        "amazon_tr/orders/history.html",
        form=form,
        default_prefix=order_service.default_prefix(),
        runs=run_service.latest_runs(store.id, order_service.KIND, 30),
        skipped=order_service.skipped_orders(store.id),
        recent=order_service.recent_orders(store.id),
        withheld=order_service.withheld_addresses(store.id),
        chart=chart(order_service.orders_per_day(store.id)),
        errors=errors,
        store=store,
        box=box_context(store),
    )


@bp.route("/stores/<int:store_id>/orders", methods=["GET"])
def orders_history(store_id: int):
    store = store_or_404(store_id)
    return _history_page(store, OrderSettingsForm.of(order_service.settings_for(store.id)), {})


@bp.route("/stores/<int:store_id>/orders/settings", methods=["POST"])
def orders_settings(store_id: int):
    store = store_or_404(store_id)
    form = OrderSettingsForm()
    if form.validate():
        try:
            order_service.save_settings(store.id, number_prefix=form.own_prefix(), unknown_sku=form.unknown_sku.data)
        except order_service.InvalidSettings as exc:
            return _history_page(store, form, {k: str(v) for k, v in exc.errors.items()}), 422
        flash(_("Order import settings were saved."), "amazon_tr-success")
        return redirect(url_for(".orders_history", store_id=store.id))
    return _history_page(store, form, form.error_map()), 422


def chart(days: list[tuple], width: int = 600, height: int = 120) -> dict:
    """Bars of orders per day, laid out here so the template only draws them (server-rendered SVG)."""
    top = max([n for _, n in days] + [1])
    slot = width / max(len(days), 1)
    bars = []
    for i, (day, count) in enumerate(days):
        h = round((height - 20) * count / top, 1)
        bars.append({"x": round(i * slot + 1, 1), "y": round(height - 14 - h, 1), "w": round(slot - 2, 1), "h": h,
                     "day": day, "count": count})
    return {"width": width, "height": height, "bars": bars, "top": top, "total": sum(n for _, n in days),
            "first": days[0][0] if days else None, "last": days[-1][0] if days else None}
