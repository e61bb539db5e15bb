"""The demo shop's own tables: products and orders, as any shop has them (tables demo_*)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Numeric, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

db = SQLAlchemy()


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
    # What an Amazon order adds (flask_amazon_tr.shop.ShopOrder): the ship-by deadline (UTC), a buyer's
    # cancellation request, an address Amazon withheld, and the e-Fatura / e-Arşiv details (personal
    # data: encrypted like the name and address, forgotten with them).
    ship_by: Mapped[datetime | None] = mapped_column(db.DateTime)
    cancellation_requested: Mapped[bool] = mapped_column(default=False)
    cancellation_reason: Mapped[str | None] = mapped_column(db.Text)
    address_withheld: Mapped[bool] = mapped_column(default=False)
    invoice_type: Mapped[str | None] = mapped_column(db.String(20))
    tax_number: Mapped[str | None] = mapped_column(ShopEncrypted)
    tax_office: Mapped[str | None] = mapped_column(ShopEncrypted)
    tax_legal_name: Mapped[str | None] = mapped_column(ShopEncrypted)
    tax_address: Mapped[str | None] = mapped_column(ShopEncrypted)
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
