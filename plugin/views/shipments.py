"""Kargo bildirimi pages: a store's Amazon orders with their shipment state, one order with
its packages and the manual "Kargo bildir" form, the carrier mapping.

Opening a page never calls Amazon: reading an order's lines is the "Amazon'dan oku"
button (or happens when the first package is recorded).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from ..forms_orders import CarrierMapForm, ShipmentForm, shipment_form
from ..i18n import gettext as _
from ..models import ImportedOrder
from ..services import runs
from ..services import orders as order_service
from ..services import shipments as service
from ..services.shipments.queries import PER_PAGE
from .blueprint import admin_blueprint as bp
from .blueprint import is_htmx, page_arg, store_or_404

FLASH_OK = "amazon_tr-success"
FLASH_WARNING = "amazon_tr-warning"
FLASH_ERROR = "amazon_tr-error"



def _order_or_404(store, order_id: int) -> ImportedOrder:
    order = service.order_of(store.id, order_id)
    if order is None:
        abort(404)
    return order


def _state_labels() -> dict[str, str]:
    return {"pending": _("waiting"), "sending": _("sending"), "retry": _("will be retried"),
            "confirmed": _("confirmed"), "failed": _("not confirmed")}


def _view_labels() -> dict[str, str]:
    return {"to_ship": _("To ship"), "fba": _("Amazon ships (FBA)"), "cancelled": _("Cancelled"),
            "all": _("All orders")}


def _view_arg() -> str:
    view = request.args.get("view", "to_ship")
    return view if view in service.VIEWS else "to_ship"


def _index_page(store, carrier_form: CarrierMapForm, carrier_errors: dict, *, page: int = 1, view: str = "to_ship"):
    orders, packages, total = service.orders_with_packages(store.id, page=page, per_page=PER_PAGE, view=view)
    return render_template("amazon_tr/shipments/index.html", store=store, orders=orders, packages=packages,
                           total=total, page=page, per_page=PER_PAGE, view=view, views=service.VIEWS,
                           view_labels=_view_labels(), view_counts=service.view_counts(store.id),
                           ship_by_mark=order_service.ship_by_mark,
                           carriers=service.carrier_map(store.id), carrier_form=carrier_form,
                           amazon_carriers=service.AMAZON_CARRIERS, other_code=service.OTHER_CODE,
                           runs=runs.latest_runs(store.id, service.KIND, 10), state_labels=_state_labels(),
                           carrier_errors=carrier_errors)


@bp.route("/stores/<int:store_id>/shipments")
def shipments(store_id: int):
    store = store_or_404(store_id)
    return _index_page(store, CarrierMapForm.of(service.carrier_map(store.id)), {}, page=page_arg(),
                       view=_view_arg())


@bp.route("/stores/<int:store_id>/shipments/carriers", methods=["POST"])
def shipment_carriers(store_id: int):
    store = store_or_404(store_id)
    form = CarrierMapForm()
    if form.validate():
        try:
            service.save_carrier_map(store.id, form.values())
        except service.InvalidSettings as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
        else:
            flash(_("The carrier list was saved."), FLASH_OK)
            return redirect(url_for("amazon_tr.shipments", store_id=store.id))
    else:
        errors = form.error_map()
    flash(_("The carrier list was not saved: check the marked rows."), FLASH_ERROR)
    return _index_page(store, form, errors), 422


def _order_context(store, order, form: ShipmentForm | None = None, *, errors=None, refresh_error=None) -> dict:
    snap = service.snapshot_of(order)
    if form is None:
        form = shipment_form(item["orderItemId"] for item in (snap.items if snap else []))
    return {"store": store, "order": order, "snap": snap, "remaining": service.remaining(order, snap),
            "packages": service.packages_of(order), "refusal": service.refusal_reason(order, snap),
            "carriers": service.carrier_map(store.id), "other": service.OTHER, "form": form,
            "errors": errors or {}, "state_labels": _state_labels(), "refresh_error": refresh_error,
            "cancel_requested": service.cancellation_requested(order)}


@bp.route("/stores/<int:store_id>/shipments/<int:order_id>", methods=["GET", "POST"])
def shipment_order(store_id: int, order_id: int):
    store = store_or_404(store_id)
    order = _order_or_404(store, order_id)
    if request.method == "GET":
        return render_template("amazon_tr/shipments/order.html", **_order_context(store, order))

    snap = service.snapshot_of(order)
    form = shipment_form(item["orderItemId"] for item in (snap.items if snap else []))
    if form.validate():
        try:
            package = service.record_manual(order, carrier=form.carrier_name(),
                                            tracking_number=form.tracking_number.data,
                                            ship_date=form.ship_date.data, lines=form.lines(),
                                            despite_cancel_request=form.ship_despite_cancel.data)
        except service.ShipmentRefused as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
        else:
            if package.state == "confirmed":
                flash(_("Package %(ref)s was confirmed to Amazon.", ref=package.package_reference_id), FLASH_OK)
            else:
                flash(_("Package %(ref)s was saved but Amazon has not confirmed it yet: see its state below.",
                        ref=package.package_reference_id), FLASH_ERROR)
            return redirect(url_for("amazon_tr.shipment_order", store_id=store.id, order_id=order.id))
    else:
        errors = form.error_map()
    return render_template("amazon_tr/shipments/order.html", **_order_context(store, order, form, errors=errors)), 422


@bp.route("/stores/<int:store_id>/shipments/<int:order_id>/read", methods=["POST"])
def shipment_read_lines(store_id: int, order_id: int):
    """"Amazon'dan oku": getOrder now; the order's part of the page for htmx, else back to the page."""
    store = store_or_404(store_id)
    order = _order_or_404(store, order_id)
    error = service.read_amazon_lines(order)
    if is_htmx():
        return render_template("amazon_tr/shipments/_order.html", **_order_context(store, order, refresh_error=error))
    if error:
        flash(error, FLASH_WARNING)
    return redirect(url_for("amazon_tr.shipment_order", store_id=store.id, order_id=order.id))


@bp.route("/stores/<int:store_id>/shipments/packages/<int:package_id>/retry", methods=["POST"])
def shipment_retry(store_id: int, package_id: int):
    store = store_or_404(store_id)
    package = service.package_of(store.id, package_id)
    if package is None:
        abort(404)
    service.retry_package(package)
    service.send_due(store.id, trigger="manual")
    return redirect(url_for("amazon_tr.shipment_order", store_id=store.id, order_id=package.order_id))
