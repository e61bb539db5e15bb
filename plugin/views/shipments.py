"""Kargo bildirimi pages: a store's Amazon orders with their shipment state, one order with
its packages and the manual "Kargo bildir" form, the carrier mapping."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..i18n import gettext as _
from ..models import ImportedOrder
from ..services import runs
from ..services import shipments as service
from ..services import stores as store_service
from . import admin_blueprint as bp

FLASH_OK = "amazon_tr-success"
FLASH_ERROR = "amazon_tr-error"


def _store_or_404(store_id: int):
    store = store_service.get_store(store_id)
    if store is None:
        abort(404)
    return store


def _order_or_404(store, order_id: int) -> ImportedOrder:
    order = service.order_of(store.id, order_id)
    if order is None:
        abort(404)
    return order


def _state_labels() -> dict[str, str]:
    return {"pending": _("waiting"), "sending": _("sending"), "retry": _("will be retried"),
            "confirmed": _("confirmed"), "failed": _("not confirmed")}


@bp.route("/stores/<int:store_id>/shipments")
def shipments(store_id: int):
    store = _store_or_404(store_id)
    orders, packages = service.orders_with_packages(store.id)
    return render_template("amazon_tr/shipments/index.html", store=store, orders=orders, packages=packages,
                           carriers=service.carrier_map(store.id), runs=runs.latest_runs(store.id, service.KIND, 10),
                           state_labels=_state_labels(), carrier_errors={})


@bp.route("/stores/<int:store_id>/shipments/carriers", methods=["POST"])
def shipment_carriers(store_id: int):
    store = _store_or_404(store_id)
    values = {key: {"code": request.form.get(f"code_{key}", ""), "name": request.form.get(f"name_{key}", "")}
              for key, _label, _code in service.CARRIERS}
    try:
        service.save_carrier_map(store.id, values)
    except service.ShipmentRefused as exc:
        flash(_("The carrier list was not saved: check the marked rows."), FLASH_ERROR)
        carriers = service.carrier_map(store.id)
        for entry in carriers:
            entry.update(values[entry["key"]])
        return render_template("amazon_tr/shipments/index.html", store=store, orders=[], packages={},
                               carriers=carriers, runs=runs.latest_runs(store.id, service.KIND, 10),
                               state_labels=_state_labels(),
                               carrier_errors={k: str(v) for k, v in exc.errors.items()})
    flash(_("The carrier list was saved."), FLASH_OK)
    return redirect(url_for("amazon_tr.shipments", store_id=store.id))


def _order_page(store, order, *, form=None, errors=None, refresh_error=None):
    snap = service.snapshot_of(order)
    return render_template(
        "amazon_tr/shipments/order.html", store=store, order=order, snap=snap,
        remaining=service.remaining(order, snap), packages=service.packages_of(order),
        refusal=service.refusal_reason(order, snap), carriers=service.carrier_map(store.id),
        form=form or {}, errors=errors or {}, state_labels=_state_labels(), refresh_error=refresh_error)


@bp.route("/stores/<int:store_id>/shipments/<int:order_id>", methods=["GET", "POST"])
def shipment_order(store_id: int, order_id: int):
    store = _store_or_404(store_id)
    order = _order_or_404(store, order_id)
    refresh_error = service.read_amazon_lines(order)
    if request.method == "GET":
        return _order_page(store, order, refresh_error=refresh_error)

    form = request.form.to_dict()
    carrier = form.get("carrier", "")
    if carrier == service.OTHER:
        carrier = form.get("carrier_other", "").strip()
    lines = []
    errors: dict[str, str] = {}
    for item in (service.snapshot_of(order).items if service.snapshot_of(order) else []):
        raw = (form.get(f"qty_{item['orderItemId']}") or "").strip()
        if not raw or raw == "0":
            continue
        if not raw.isdigit():
            errors["lines"] = _("Give a whole number of units for each line.")
            continue
        lines.append({"order_item_id": item["orderItemId"], "quantity": int(raw)})
    if not lines and "lines" not in errors:
        errors["lines"] = _("Give the units of at least one line.")
    if not carrier:
        errors["carrier"] = _("Choose the carrier.")
    if not errors:
        try:
            package = service.record_manual(order, carrier=carrier, tracking_number=form.get("tracking_number", ""),
                                            ship_date=form.get("ship_date") or None, lines=lines)
        except service.ShipmentRefused as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
        else:
            if package.state == "confirmed":
                flash(_("Package %(ref)s was confirmed to Amazon.", ref=package.package_reference_id), FLASH_OK)
            else:
                flash(_("Package %(ref)s was saved but Amazon has not confirmed it yet: see its state below.",
                        ref=package.package_reference_id), FLASH_ERROR)
            return redirect(url_for("amazon_tr.shipment_order", store_id=store.id, order_id=order.id))
    return _order_page(store, order, form=form, errors=errors)


@bp.route("/stores/<int:store_id>/shipments/packages/<int:package_id>/retry", methods=["POST"])
def shipment_retry(store_id: int, package_id: int):
    store = _store_or_404(store_id)
    package = service.package_of(store.id, package_id)
    if package is None:
        abort(404)
    service.retry_package(package)
    service.send_due(store.id, trigger="manual")
    return redirect(url_for("amazon_tr.shipment_order", store_id=store.id, order_id=package.order_id))
