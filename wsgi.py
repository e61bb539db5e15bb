"""A small demo shop that mounts flask-amazon-tr the way a real shop would.

    flask --app wsgi demo init     # tables, migrations, demo products
    flask --app wsgi run           # http://127.0.0.1:5000

It has its own products and orders, an admin layout the plugin's pages extend,
a storefront whose footer calls ``amazon_tr_footer()``, and a shop adapter.
With AMAZON_TR_SANDBOX=local (the default here) the local Amazon sandbox is
mounted at /amazon-sandbox, so every button works without an Amazon account.
"""
from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path

import click
from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError
from flask_sqlalchemy import SQLAlchemy
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy import Numeric, TypeDecorator, select, update
from sqlalchemy.orm import Mapped, mapped_column

from flask_amazon_tr import AmazonTR, ShopOrder, ShopProduct
from flask_amazon_tr.crypto import generate_key

db = SQLAlchemy()


# --- The shop's own tables ----------------------------------------------------------

class Product(db.Model):
    __tablename__ = "demo_product"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(db.String(80), unique=True)
    ean: Mapped[str | None] = mapped_column(db.String(14))
    title: Mapped[str] = mapped_column(db.String(200))
    description: Mapped[str] = mapped_column(db.Text, default="")
    brand: Mapped[str] = mapped_column(db.String(80))
    category: Mapped[str] = mapped_column(db.String(80))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    stock: Mapped[int] = mapped_column(default=0)
    image_url: Mapped[str | None] = mapped_column(db.String(300))


class ShopEncrypted(TypeDecorator):
    """Text encrypted with the shop's key; this demo reuses the plugin's cipher for it."""

    impl = db.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else current_app.extensions["amazon_tr"].cipher.encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else current_app.extensions["amazon_tr"].cipher.decrypt(value)


class Order(db.Model):
    __tablename__ = "demo_order"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(db.String(64), unique=True)
    source: Mapped[str] = mapped_column(db.String(20), default="web")
    status: Mapped[str] = mapped_column(db.String(20))
    # Buyers' data stays encrypted in the shop's own table too (Amazon's data protection policy).
    customer_name: Mapped[str | None] = mapped_column(ShopEncrypted)
    address: Mapped[str | None] = mapped_column(ShopEncrypted)
    phone: Mapped[str | None] = mapped_column(ShopEncrypted)
    currency: Mapped[str] = mapped_column(db.String(3), default="TRY")
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    shipping: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    tax: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    fulfillment_channel: Mapped[str] = mapped_column(db.String(10), default="merchant")
    stock_reserved: Mapped[bool] = mapped_column(default=False)
    lines = db.relationship("OrderLine", cascade="all, delete-orphan", order_by="OrderLine.id")


class OrderLine(db.Model):
    __tablename__ = "demo_order_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(db.ForeignKey("demo_order.id"))
    sku: Mapped[str | None] = mapped_column(db.String(80))
    title: Mapped[str] = mapped_column(db.String(200))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    matched: Mapped[bool] = mapped_column(default=True)


# --- The shop adapter: the plugin's one way into the shop ---------------------------

class DemoShop:
    def __init__(self) -> None:
        self._stock_listeners = []

    def iter_products(self, skus=None):
        query = select(Product).order_by(Product.id)
        if skus is not None:
            query = query.where(Product.sku.in_(list(skus)))
        for p in db.session.scalars(query):
            yield ShopProduct(
                sku=p.sku, title=p.title, price=Decimal(p.price), stock=p.stock, ean=p.ean,
                brand=p.brand, description=p.description, image_url=p.image_url, category=p.category,
            )

    def upsert_order(self, order: ShopOrder) -> str:
        row = db.session.scalar(select(Order).where(Order.number == order.number))
        if row is None:
            row = Order(number=order.number, source="amazon", stock_reserved=False)
            db.session.add(row)
        # Stock follows the order: reserved while it is open, kept when it ships,
        # given back when it is cancelled. Lines are re-reserved if they change.
        self._release(row)
        row.status = order.status
        row.customer_name = order.customer_name
        row.address = _one_line_address(order.address)
        row.phone = order.phone
        row.currency = order.currency
        row.total = order.total
        row.shipping = order.shipping
        row.tax = order.tax
        row.fulfillment_channel = order.fulfillment_channel
        row.lines = [
            OrderLine(sku=line.sku, title=line.title, quantity=line.quantity, unit_price=line.unit_price,
                      matched=line.matched)
            for line in order.lines
        ]
        if order.reserve_stock and order.status != "cancelled":
            self._move_stock(row, -1)
            row.stock_reserved = True
        db.session.flush()
        return order.number

    def cancel_order(self, number: str) -> None:
        row = db.session.scalar(select(Order).where(Order.number == number))
        if row is not None:
            row.status = "cancelled"
            self._release(row)
            db.session.flush()

    def forget_customer(self, number: str) -> None:
        row = db.session.scalar(select(Order).where(Order.number == number))
        if row is not None:
            row.customer_name = "Amazon müşterisi"
            row.address = None
            row.phone = None

    def _release(self, row: Order) -> None:
        if row.stock_reserved:
            self._move_stock(row, +1)
            row.stock_reserved = False

    def _move_stock(self, row: Order, sign: int) -> None:
        # One relative UPDATE per SKU (never read-modify-write): concurrent orders cannot lose a unit.
        moves: dict[str, int] = {}
        for line in row.lines:
            if line.matched and line.sku:
                moves[line.sku] = moves.get(line.sku, 0) + sign * line.quantity
        table = Product.__table__
        with db.session.no_autoflush:
            for sku, delta in sorted(moves.items()):  # a fixed order keeps two importers from deadlocking
                db.session.execute(update(table).where(table.c.sku == sku).values(stock=table.c.stock + delta))

    def subscribe_stock_changes(self, listener) -> None:
        self._stock_listeners.append(listener)

    def set_stock(self, sku: str, stock: int) -> None:
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        product.stock = stock
        db.session.commit()
        for listener in self._stock_listeners:
            listener([sku])


def _one_line_address(address: dict | None) -> str | None:
    if not address:
        return None
    parts = [address.get(k) for k in ("addressLine1", "addressLine2", "addressLine3", "districtOrCounty",
                                      "postalCode", "city")]
    return ", ".join(p for p in parts if p)


# --- Demo data ------------------------------------------------------------------------

DEMO_PRODUCTS = [
    ("Türk Kahvesi 250 g", "Kahve Dünyası", "Gıda", "189.90"),
    ("Çay Bardağı Seti (6'lı)", "Paşabahçe", "Mutfak", "249.00"),
    ("İnce Belli Çaydanlık", "Korkmaz", "Mutfak", "899.50"),
    ("Lokum Çeşitleri 500 g", "Hacı Bekir", "Gıda", "320.00"),
    ("Pamuklu Peştemal", "Ege Tekstil", "Ev Tekstili", "275.75"),
    ("Bakır Cezve", "Gaziantep Bakır", "Mutfak", "455.00"),
    ("Zeytinyağlı Sabun 4'lü", "Ayvalık Sabun", "Kişisel Bakım", "139.90"),
    ("Fındık Ezmesi 350 g", "Karadeniz Lezzet", "Gıda", "214.99"),
    ("El Dokuma Kilim 80x150", "Uşak Halı", "Ev Tekstili", "2499.00"),
    ("Nazar Boncuklu Anahtarlık", "Ege Zanaat", "Aksesuar", "59.90"),
    ("Çini Kase 15 cm", "İznik Çini", "Dekorasyon", "389.00"),
    ("Antep Fıstığı 400 g", "Güneydoğu Kuruyemiş", "Gıda", "649.00"),
    ("Kestane Şekeri 300 g", "Bursa Şekercisi", "Gıda", "279.50"),
    ("Organik Çiçek Balı 850 g", "Anadolu Arıcılık", "Gıda", "499.00"),
    ("Keçe Terlik", "Sivas El Sanatları", "Giyim", "329.00"),
    ("İpek Eşarp", "Bursa İpek", "Aksesuar", "749.90"),
    ("Lavanta Kesesi 3'lü", "Isparta Bahçe", "Ev", "99.00"),
    ("Ahşap Kaşık Seti", "Doğa Atölyesi", "Mutfak", "189.00"),
    ("Seramik Kupa \"Boğaz\"", "Kütahya Porselen", "Mutfak", "149.50"),
    ("Kuru Kayısı 500 g", "Malatya Kayısı", "Gıda", "229.00"),
    ("Tespih (Kehribar)", "Erzurum Oltu", "Aksesuar", "1299.00"),
    ("Pirinç Tepsi 40 cm", "Kapalıçarşı Bakır", "Dekorasyon", "1150.00"),
    ("Nar Ekşisi 500 ml", "Ege Çiftliği", "Gıda", "119.90"),
    ("Gül Suyu 250 ml", "Isparta Gül", "Kişisel Bakım", "89.90"),
    ("Bebek Battaniyesi (Müslin)", "Denizli Tekstil", "Bebek", "389.90"),
    ("Oya İşlemeli Havlu", "Ege Tekstil", "Ev Tekstili", "159.00"),
    ("Çocuk Masal Kitabı: Keloğlan", "Yapı Kredi Yayınları", "Kitap", "74.50"),
    ("Satranç Takımı (Ahşap)", "Oyun Atölyesi", "Oyuncak", "549.00"),
    ("Şalgam Suyu 1 L", "Adana Lezzet", "Gıda", "49.90"),
    ("Kaşar Peyniri 700 g", "Kars Mandırası", "Gıda", "459.00"),
    ("Sucuk 500 g", "Afyon Et", "Gıda", "429.00"),
    ("Mum Seti (Lale Desenli)", "Işık Atölye", "Dekorasyon", "199.00"),
    ("Derin Tava 28 cm", "Korkmaz", "Mutfak", "1049.00"),
    ("Ütü Masası Kılıfı", "Evim Güzel", "Ev", "129.99"),
    ("Çiğ Köfte Baharatı 200 g", "Şanlıurfa Baharat", "Gıda", "69.90"),
    ("Pestil 250 g", "Gümüşhane Pestil", "Gıda", "179.00"),
]


def ean13(number: int) -> str:
    """A valid EAN-13 with Türkiye's GS1 prefix 869."""
    body = f"869{number:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


DEMO_CARRIERS = ["Yurtiçi Kargo", "Aras Kargo", "MNG Kargo", "PTT Kargo", "Sürat Kargo", "HepsiJet", "UPS"]


def demo_catalog() -> list[dict]:
    """What the local Amazon's catalog knows of the demo's products.

    Two of three are on Amazon already (linked as offers); the rest are new to
    Amazon (sent as whole listings). Two catalog pages belong to a brand, so the
    demo shows "katalog kilitli" too.
    """
    return [
        {"ean": ean13(1000 + i), "title": title, "brand": brand, "sku": f"DEMO-{i:04d}",
         "asin": f"B0DEMO{i:04d}", "content_locked": i in (4, 11)}
        for i, (title, brand, _category, _price) in enumerate(DEMO_PRODUCTS, start=1)
        if i % 3
    ]


def seed_products() -> int:
    if db.session.scalar(select(db.func.count()).select_from(Product)):
        return 0
    for i, (title, brand, category, price) in enumerate(DEMO_PRODUCTS, start=1):
        db.session.add(Product(
            sku=f"DEMO-{i:04d}", ean=ean13(1000 + i), title=title, brand=brand, category=category,
            description=f"{title}: {brand} güvencesiyle, özenle paketlenerek gönderilir.",
            price=Decimal(price), stock=(i * 7) % 40 + 3,
            image_url=f"https://example.com/img/demo-{i:04d}.jpg",
        ))
    db.session.commit()
    return len(DEMO_PRODUCTS)


# --- Templates of the shop ------------------------------------------------------------

TEMPLATES = {
    "demo/admin_layout.html": """<!doctype html>
<html lang="tr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · Demo Mağaza Yönetimi</title>
<style>body{margin:0;font-family:system-ui,sans-serif;background:#f3f4f6} .shell{display:grid;grid-template-columns:220px 1fr;min-height:100vh}
nav.side{background:#1f2937;color:#e5e7eb;padding:1rem} nav.side a{color:#e5e7eb;display:block;padding:.25rem 0;text-decoration:none}
nav.side h2{font-size:.8rem;text-transform:none;color:#9ca3af;margin:1rem 0 .25rem} main{padding:1.5rem}</style>
{% block head %}{% endblock %}</head>
<body><div class="shell"><nav class="side"><strong>Demo Mağaza</strong>
<h2>Katalog</h2><a href="{{ url_for('demo_admin_products') }}">Ürünler</a><a href="{{ url_for('demo_admin_orders') }}">Siparişler</a>
<h2>Pazaryeri</h2><a href="{{ url_for('amazon_tr.index') }}">Mağazalar › Amazon Mağazalarım</a>
<h2>Site</h2><a href="{{ url_for('storefront') }}">Vitrine git</a><a href="{{ url_for('demo_logout') }}">Çıkış</a></nav>
<main>{% block content %}{% endblock %}</main></div></body></html>""",
    "demo/admin_products.html": """{% extends "demo/admin_layout.html" %}{% block title %}Ürünler{% endblock %}
{% block content %}<h1>Ürünler</h1><table><tr><th>SKU</th><th>EAN</th><th>Ürün</th><th>Fiyat</th><th>Stok</th></tr>
{% for p in products %}<tr><td>{{ p.sku }}</td><td>{{ p.ean }}</td><td>{{ p.title }}</td><td>{{ p.price }} ₺</td><td>{{ p.stock }}</td></tr>{% endfor %}
</table>{% endblock %}""",
    "demo/admin_orders.html": """{% extends "demo/admin_layout.html" %}{% block title %}Siparişler{% endblock %}
{% block content %}<h1>Siparişler</h1>
{% for category, message in get_flashed_messages(with_categories=true, category_filter=["demo-ok", "demo-error"]) %}
<p class="demo-flash {{ category }}" role="status">{{ message }}</p>{% endfor %}
{% if not orders %}<p>Henüz sipariş yok.</p>{% endif %}<table>
<tr><th>No</th><th>Kaynak</th><th>Durum</th><th>Müşteri</th><th>Tutar</th><th>Gönderim</th><th>Kalem</th><th></th></tr>
{% for o in orders %}<tr data-order="{{ o.number }}"><td>{{ o.number }}</td><td>{{ o.source }}</td><td>{{ o.status }}</td><td>{{ o.customer_name or '' }}</td><td>{{ o.total }} ₺</td><td>{{ o.fulfillment_channel }}</td><td>{{ o.lines|length }}</td>
<td>{% if o.source == "amazon" and o.fulfillment_channel == "merchant" and o.status in ("ready", "partially_shipped") %}
<form method="post" action="{{ url_for('demo_ship_order', number=o.number) }}">
<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
<select name="carrier" aria-label="Kargo firması">{% for c in carriers %}<option>{{ c }}</option>{% endfor %}</select>
<input name="tracking_number" placeholder="Takip numarası" aria-label="Takip numarası" required maxlength="64">
<button type="submit">Kargoya ver</button></form>{% endif %}</td></tr>{% endfor %}
</table>{% endblock %}""",
    "demo/login.html": """{% extends "demo/admin_layout.html" %}{% block title %}Yönetici girişi{% endblock %}
{% block content %}<h1>Yönetici girişi</h1><p>Bu bir demo mağazadır: parola sorulmaz.</p>
<form method="post"><input type="hidden" name="next" value="{{ next }}"><button type="submit">Yönetici olarak giriş yap</button></form>{% endblock %}""",
    "demo/storefront.html": """<!doctype html><html lang="tr"><head><meta charset="utf-8"><title>Demo Mağaza</title>
<style>body{font-family:system-ui,sans-serif;margin:0} header,footer{background:#111827;color:#fff;padding:1rem 2rem}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem;padding:2rem} .card{border:1px solid #ddd;border-radius:8px;padding:1rem}</style></head>
<body><header><strong>Demo Mağaza</strong> · <a style="color:#fbbf24" href="{{ url_for('amazon_tr.index') }}">Yönetim paneli</a></header>
<div class="grid">{% for p in products %}<div class="card"><h3>{{ p.title }}</h3><p>{{ p.brand }}</p><p><strong>{{ p.price }} ₺</strong></p></div>{% endfor %}</div>
<footer><p>© Demo Mağaza</p>{{ amazon_tr_footer() }}</footer></body></html>""",
}


def _instance_secret(app: Flask, name: str, make) -> str:
    path = Path(app.instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config = dict(config or {})
    instance = Path(config.get("INSTANCE_PATH") or os.environ.get("DEMO_INSTANCE_PATH") or app.instance_path)
    app.instance_path = str(instance)
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'demo.sqlite'}",
        AMAZON_TR_SANDBOX="local",
        AMAZON_TR_ADMIN_LAYOUT="demo/admin_layout.html",
        DEMO_MOUNT_SANDBOX=True,
    )
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY, FLASK_AMAZON_TR_..., FLASK_SQLALCHEMY_DATABASE_URI
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app, "secret_key", lambda: secrets.token_hex(32))
    if not app.config.get("AMAZON_TR_ENCRYPTION_KEY"):
        # The demo keeps its own key in the instance folder; a real shop sets it in its config.
        app.config["AMAZON_TR_ENCRYPTION_KEY"] = _instance_secret(app, "amazon_tr_encryption_key", generate_key)
    app.jinja_loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_loader])

    db.init_app(app)
    shop = DemoShop()

    def admin_guard():
        if session.get("demo_admin"):
            return True
        return redirect(url_for("demo_login", next=request.full_path))

    AmazonTR(app, db=db, shop=shop, admin_guard=admin_guard)
    app.extensions["demo_shop"] = shop

    if app.config.get("AMAZON_TR_SANDBOX") == "local" and app.config.get("DEMO_MOUNT_SANDBOX"):
        from flask_amazon_tr.local_sandbox import mount_local_sandbox

        mount_local_sandbox(app, "/amazon-sandbox", catalog=demo_catalog())

    @app.route("/")
    def storefront():
        products = db.session.scalars(select(Product).order_by(Product.id).limit(12)).all()
        return render_template("demo/storefront.html", products=products)

    @app.route("/admin/login", methods=["GET", "POST"])
    def demo_login():
        target = request.values.get("next") or url_for("amazon_tr.index")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("amazon_tr.index")
        if request.method == "POST":
            session["demo_admin"] = True
            return redirect(target)
        return render_template("demo/login.html", next=target)

    @app.route("/admin/logout")
    def demo_logout():
        session.pop("demo_admin", None)
        return redirect(url_for("storefront"))

    @app.route("/admin/products")
    def demo_admin_products():
        if not session.get("demo_admin"):
            return redirect(url_for("demo_login", next=request.path))
        return render_template("demo/admin_products.html", products=db.session.scalars(select(Product).order_by(Product.id)).all())

    @app.route("/admin/orders")
    def demo_admin_orders():
        if not session.get("demo_admin"):
            return redirect(url_for("demo_login", next=request.path))
        return render_template("demo/admin_orders.html", orders=db.session.scalars(select(Order).order_by(Order.id.desc())).all(),
                               carriers=DEMO_CARRIERS, csrf_token=generate_csrf)

    @app.route("/admin/orders/<path:number>/ship", methods=["POST"])
    def demo_ship_order(number):
        """The shop hands an order to the carrier and tells the plugin, as a real shop's own code would."""
        if not session.get("demo_admin"):
            return redirect(url_for("demo_login", next="/admin/orders"))
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError:
            flash("Form süresi doldu; sayfayı yenileyip tekrar deneyin.", "demo-error")
            return redirect(url_for("demo_admin_orders"))
        from flask_amazon_tr.services.shipments import ShipmentRefused, record_shipment

        carrier = request.form.get("carrier", "")
        tracking = request.form.get("tracking_number", "").strip()
        if carrier not in DEMO_CARRIERS or not tracking or len(tracking) > 64:
            flash("Kargo firmasını seçip takip numarasını girin.", "demo-error")
            return redirect(url_for("demo_admin_orders"))
        try:
            package = record_shipment(number, carrier, tracking)
        except ShipmentRefused as exc:
            flash(" ".join(str(m) for m in exc.errors.values()), "demo-error")
        else:
            db.session.commit()
            state = "Amazon'a bildirildi" if package.state == "confirmed" else "Amazon'a bildirilecek"
            flash(f"{number} kargoya verildi ({carrier}, {tracking}): {state}.", "demo-ok")
        return redirect(url_for("demo_admin_orders"))

    @app.cli.group("demo")
    def demo_cli():
        """The demo shop's own commands."""

    @demo_cli.command("init")
    def demo_init():
        """Create the shop's tables, run the plugin's migrations and add demo products."""
        from flask_amazon_tr import migrate

        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        if _demo_tables_outdated():
            # Only the demo's own sample tables: a real shop migrates its tables its own way.
            click.echo("the demo database is from an older version: starting it afresh with new demo data")
            migrate.downgrade(db.engine, "base")  # the plugin's rows point at the old shop orders
            db.drop_all()
        db.create_all()
        migrate.upgrade(db.engine)
        added = seed_products()
        click.echo(f"demo shop ready: {added} products added, amazon_tr schema at {migrate.current(db.engine)}")

    return app


def _demo_tables_outdated() -> bool:
    inspector = db.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        if inspector.has_table(table.name):
            have = {c["name"] for c in inspector.get_columns(table.name)}
            if set(table.columns.keys()) - have:
                return True
    if inspector.has_table(Order.__tablename__):
        from flask_amazon_tr.crypto import DecryptionFailed

        try:
            db.session.scalars(select(Order).limit(1)).all()
        except (DecryptionFailed, ValueError, UnicodeError):  # written in plain text by an older demo
            db.session.rollback()
            return True
    return False


app = create_app()
