"""The demo shop's own pages: the storefront and the shop admin's products and orders."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

from .login import admin_only, is_admin
from .models import Order, Product, db
from .labels import FILTERS, money_tr
from .seed import DEMO_CARRIERS

bp = Blueprint("demo", __name__)
for _name, _filter in FILTERS.items():
    bp.add_app_template_filter(_filter, f"demo_{_name}")


@bp.route("/")
def storefront():
    products = db.session.scalars(select(Product).order_by(Product.id).limit(12)).all()
    return render_template("demo/storefront.html", products=products)


@bp.route("/admin/products")
@admin_only
def products():
    return render_template("demo/admin_products.html", csrf_token=generate_csrf,
                           products=db.session.scalars(select(Product).order_by(Product.id)).all())


def _refused_post(page: str):
    """A shop admin form's POST that may not go on: not signed in (back to ``page`` after signing in: these
    addresses only take the form's POST) or an expired form. None when it may."""
    if not is_admin():
        return redirect(url_for("demo_login.login", next=url_for(page)))
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        flash("Form süresi doldu; sayfayı yenileyip tekrar deneyin.", "demo-error")
        return redirect(url_for(page))
    return None


@bp.route("/admin/products/<path:sku>", methods=["POST"])
def change_product(sku):
    """The shop admin changes a product's stock and price; the adapter tells the plugin, which sends
    the change to Amazon within seconds (its stock signal), as a real shop's save button would."""
    refused = _refused_post(".products")
    if refused is not None:
        return refused
    product = db.session.scalar(select(Product).where(Product.sku == sku))
    if product is None:
        flash("Böyle bir ürün yok.", "demo-error")
        return redirect(url_for(".products"))
    stock, price, errors = parse_stock(request.form.get("stock")), parse_price(request.form.get("price")), []
    if stock is None:
        errors.append("Stok 0 ile 999999 arasında bir tam sayı olmalı.")
    if price is None:
        errors.append("Fiyatı 189,90 gibi, sıfırdan büyük ve en fazla iki kuruş basamağıyla yazın.")
    if errors:
        flash(f"{sku}: " + " ".join(errors), "demo-error")
        return redirect(url_for(".products"))
    shop = current_app.extensions["demo_shop"]
    changed = []
    if stock != product.stock:
        shop.set_stock(sku, stock)
        changed.append(f"stok {stock}")
    if price != product.price:
        shop.set_price(sku, price)
        changed.append(f"fiyat {money_tr(price)}")
    if changed:
        flash(f"{sku} kaydedildi ({', '.join(changed)}): Amazon'a birkaç saniye içinde gönderilir.", "demo-ok")
    else:
        flash(f"{sku}: değişiklik yok.", "demo-ok")
    return redirect(url_for(".products"))


def parse_stock(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return int(raw)


def parse_price(raw: str | None) -> Decimal | None:
    """A price as a Turkish admin types it: "189,90", "1.250,00" or "189.90"."""
    raw = (raw or "").strip().replace("₺", "").replace(" ", "")
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    if not raw or not raw.isascii() or len(raw) > 12:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("10000000000"):
        return None
    return value.quantize(Decimal("0.01"))


@bp.route("/admin/orders")
@admin_only
def orders():
    return render_template("demo/admin_orders.html",
                           orders=db.session.scalars(select(Order).order_by(Order.id.desc())).all(),
                           carriers=DEMO_CARRIERS, csrf_token=generate_csrf)


@bp.route("/admin/orders/<path:number>/ship", methods=["POST"])
def ship_order(number):
    """The shop hands an order to the carrier and tells the plugin, as a real shop's own code would."""
    refused = _refused_post(".orders")
    if refused is not None:
        return refused
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
        # once Amazon confirmed it, the plugin told the shop (DemoShop.order_shipped): the list shows it
        db.session.commit()
        state = "Amazon'a bildirildi" if package.state == "confirmed" else "Amazon'a bildirilecek"
        flash(f"{number} kargoya verildi ({carrier}, {tracking}): {state}.", "demo-ok")
    return redirect(url_for(".orders"))
