"""Sipariş Aktarımı in the admin panel: the store page's box, live progress, the history page."""
from __future__ import annotations

from datetime import datetime, time, timezone
from urllib.parse import urlsplit

from babel.dates import format_date
from flask import abort, flash, make_response, redirect, render_template, request, url_for

from ..forms_orders import ImportOneForm, OrderSettingsForm, ReimportForm
from ..i18n import current_locale
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
            "ship_by_mark": order_service.ship_by_mark, "orders_cursor": _cursor_time}


def _cursor_time(raw: str | None) -> datetime | None:
    """A run's cursor (ISO 8601 UTC text) as a moment fmt_datetime shows in Turkish; None if unreadable."""
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None


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


def _on_history_page(store) -> bool:
    """The htmx request comes from this store's history page (htmx names the page it runs in)."""
    current = request.headers.get("HX-Current-URL") or ""
    return urlsplit(current).path == url_for(".orders_history", store_id=store.id)


def _page_parts(store) -> dict:
    """What the history page shows around the box: re-rendered together after every action."""
    return {
        "runs": run_service.latest_runs(store.id, order_service.KIND, 30),
        "skipped": order_service.skipped_orders(store.id),
        "recent": order_service.recent_orders(store.id),
        "withheld": order_service.withheld_addresses(store.id),
        "chart": chart(order_service.orders_per_day(store.id)),
    }


def _box_answer(store, run=None, *, message=None, kind=None, place="box", oob_box=False):
    """The box (or a form's own result place) for htmx, with the history page's other parts swapped
    out of band when the request comes from that page: none of them is left telling an older story."""
    parts = _page_parts(store) if _on_history_page(store) else None
    return render_template("amazon_tr/orders/_answer.html", store=store, box=box_context(store, run),
                           message=message, message_kind=kind, place=place, parts=parts, oob_box=oob_box)


@bp.route("/stores/<int:store_id>/orders/box")
def orders_box(store_id: int):
    store = store_or_404(store_id)
    if is_htmx():
        return _box_answer(store)
    return render_template("amazon_tr/stores/_orders_box.html", store=store, box=box_context(store))


@bp.route("/stores/<int:store_id>/orders/import", methods=["POST"])
def orders_import(store_id: int):
    store = store_or_404(store_id)
    form = ReimportForm()
    place = "reimport" if request.form.get("mode") == "since" else "box"
    if not form.validate():
        return _answer(store, None, form.error_map()["since"], "error", place)
    since = None
    if form.since.data is not None:
        try:
            since = datetime.combine(form.since.data, time.min, tzinfo=SHOP_TZ).astimezone(timezone.utc)
        except OverflowError:  # midnight of 0001-01-01 in Türkiye falls before year 1 in UTC
            return _answer(store, None, _("The date is too far in the past."), "error", place)
        if since > run_service.now():
            return _answer(store, None, _("The date cannot be in the future."), "error", place)
    elif place == "reimport":
        return _answer(store, None, _("Choose the date to re-import from."), "error", place)
    run = order_service.start_import(store.id, since=since)
    if run.status == "skipped":
        return _answer(store, None, run.error, "warning", place)
    return _answer(store, run, _("Order import started."), "success", place)


@bp.route("/stores/<int:store_id>/orders/import-one", methods=["POST"])
def orders_import_one(store_id: int):
    store = store_or_404(store_id)
    form = ImportOneForm()
    number = (form.amazon_order_id.data or "").strip()
    if not number:
        return _answer(store, None, _("Enter the Amazon order number."), "error", "lookup")
    run = order_service.import_one(store.id, number)
    if run.status == "done":
        if run.counts.get("skipped"):
            message, kind = _("The order was not imported: it has a stock code the shop does not know."), "warning"
        else:
            message, kind = _("Order %(number)s was imported.", number=number), "success"
    else:
        # not found / not an order number / busy: a lookup that found nothing, not a failed import
        # (a run of another import holding the store comes back as it is: "running", without an error)
        message = run.error or _("Another order import of this store is running.")
        kind = "error" if run.status in ("failed", "not_found") else "warning"
    return _answer(store, None, message, kind, "lookup")


def _answer(store, run, message, kind, place="box"):
    """The box or the form's result place for htmx; a redirect to the history page without JavaScript."""
    if is_htmx():
        return _box_answer(store, run, message=message, kind=kind, place=place)
    flash(message, f"amazon_tr-{kind}")
    return redirect(url_for(".orders_history", store_id=store.id))


@bp.route("/stores/<int:store_id>/orders/runs/<int:run_id>")
def orders_progress(store_id: int, run_id: int):
    run = _run_of(store_id, run_id)
    response = make_response(render_template("amazon_tr/orders/_progress.html", store=store_or_404(store_id), run=run))
    if run.status != "running":
        # The box around the progress re-reads itself (with the history page's parts): its button
        # comes back to life, and the "Sürüyor" row and the skipped orders follow.
        response.headers["HX-Trigger"] = "amazon-tr-orders-finished"
    return response


def _history_page(store, form: OrderSettingsForm, errors: dict):
    return render_template(
        "amazon_tr/orders/history.html",
        form=form,
        default_prefix=order_service.default_prefix(),
        parts=_page_parts(store),
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


def _short_day(day) -> str:
    return format_date(day, "d MMM", locale="tr_TR" if current_locale() == "tr" else "en_GB")


def chart(days: list[tuple], width: int = 600, height: int = 180) -> dict:
    """Bars of orders per day by purchase date, with both axes, laid out here so the template only draws them.

    A plain server-rendered SVG (no script): a y axis with evenly spaced whole counts, an x axis
    with a date every week and on the last day, each bar titled with its day and count.
    """
    left, right, top_pad, bottom = 40, 24, 10, 40  # room for the y labels and the last date
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max([n for _, n in days] + [1])
    top = peak if peak <= 4 else -(-peak // 4) * 4  # a multiple of 4 above 4: every tick is whole
    slot = plot_w / max(len(days), 1)
    base_y = top_pad + plot_h
    bars, ticks_x = [], []
    for i, (day, count) in enumerate(days):
        h = round(plot_h * count / top, 1)
        x = round(left + i * slot + 1, 1)
        bars.append({"x": x, "y": round(base_y - h, 1), "w": round(max(slot - 2, 1), 1), "h": h,
                     "day": day, "count": count})
        if (len(days) - 1 - i) % 7 == 0:
            ticks_x.append({"x": round(x + (slot - 2) / 2, 1), "label": _short_day(day)})
    values = range(top + 1) if top <= 4 else (0, top // 4, top // 2, 3 * top // 4, top)  # evenly spaced, whole
    ticks_y = [{"y": round(base_y - plot_h * v / top, 1), "value": v} for v in values]
    return {"width": width, "height": height, "bars": bars, "top": top, "total": sum(n for _, n in days),
            "left": left, "right": width - right, "base_y": base_y, "top_y": top_pad,
            "ticks_x": ticks_x, "ticks_y": ticks_y,
            "first": days[0][0] if days else None, "last": days[-1][0] if days else None}
