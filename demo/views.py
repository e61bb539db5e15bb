"""The demo shop's own pages: the storefront and the shop admin's products and orders."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

from .login import admin_only, is_admin
from .models import Order, Product, db
from .seed import DEMO_CARRIERS

bp = Blueprint("demo", __name__)


@bp.route("/")
def storefront():
    products = db.session.scalars(select(Product).order_by(Product.id).limit(12)).all()
    return render_template("demo/storefront.html", products=products)


@bp.route("/admin/products")
@admin_only
def products():
    return render_template("demo/admin_products.html",
                           products=db.session.scalars(select(Product).order_by(Product.id)).all())


@bp.route("/admin/orders")
@admin_only
def orders():
    return render_template("demo/admin_orders.html",
                           orders=db.session.scalars(select(Order).order_by(Order.id.desc())).all(),
                           carriers=DEMO_CARRIERS, csrf_token=generate_csrf)


@bp.route("/admin/orders/<path:number>/ship", methods=["POST"])
def ship_order(number):
    """The shop hands an order to the carrier and tells the plugin, as a real shop's own code would."""
    if not is_admin():
        # back to the list after signing in: this address only takes the form's POST
        return redirect(url_for("demo_login.login", next=url_for(".orders")))
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        flash("Form süresi doldu; sayfayı yenileyip tekrar deneyin.", "demo-error")
        return redirect(url_for(".orders"))
    carrier = request.form.get("carrier", "")
    tracking = request.form.get("tracking_number", "").strip()
    if carrier not in DEMO_CARRIERS or not tracking or len(tracking) > 64:
        flash("Kargo firmasını seçip takip numarasını girin.", "demo-error")
        return redirect(url_for(".orders"))
    try:
        package = record_shipment(number, carrier, tracking)
    except ShipmentRefused as exc:
        flash(" ".join(str(m) for m in exc.errors.values()), "demo-error")
    else:
        db.session.commit()
        state = "Amazon'a bildirildi" if package.state == "confirmed" else "Amazon'a bildirilecek"
        flash(f"{number} kargoya verildi ({carrier}, {tracking}): {state}.", "demo-ok")
    return redirect(url_for(".orders"))
