"""The shop adapter: the plugin's one way into the demo shop (see flask_amazon_tr.shop.ShopAdapter).

The contract it keeps: every method writes in the app's ``db.session`` and never commits
(the plugin commits with its own rows, so a failed import leaves neither half behind),
except ``set_stock``, which is the shop's own admin action. Order numbers are unique.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from flask_amazon_tr import ShopOrder, ShopProduct

from .models import Order, OrderLine, Product, db


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
        row.address = one_line_address(order.address)
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


def one_line_address(address: dict | None) -> str | None:
    if not address:
        return None
    parts = [address.get(k) for k in ("addressLine1", "addressLine2", "addressLine3", "districtOrCounty",
                                      "postalCode", "city")]
    return ", ".join(p for p in parts if p)
