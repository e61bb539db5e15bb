"""The shop adapter: the plugin's one way into the demo shop (see flask_amazon_tr.shop.ShopAdapter).

The contract it keeps: every method writes in the app's ``db.session`` and never commits
(the plugin commits with its own rows, so a failed import leaves neither half behind),
except ``set_stock`` and ``set_price``, which are the shop's own admin actions. Order numbers are unique.

A page of Amazon orders arrives in one ``upsert_orders`` call and is written as a shop
should write a batch: one SELECT for the page's orders that exist (with the lines that
hold stock), one multi-row INSERT of the new orders, one executemany UPDATE of the
others, their lines replaced with one DELETE and one INSERT, and the stock of every SKU
the page touches moved with one executemany UPDATE (relative, in SKU order). Nothing is
flushed per order. ``upsert_order`` is the same for a page of one.
"""
from __future__ import annotations

from collections import Counter
from datetime import timezone
from decimal import Decimal

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm.util import identity_key

from flask_amazon_tr import ShopOrder, ShopProduct

from .models import Order, OrderLine, Product, db


class DemoShop:
    def __init__(self) -> None:
        self._stock_listeners = []

    def categories(self):
        """The distinct categories, one query: the products page never reads the whole catalog."""
        table = Product.__table__
        return list(db.session.scalars(select(table.c.category).distinct().where(table.c.category.isnot(None))))

    def iter_products(self, skus=None):
        # Plain rows, not ORM objects: a page of orders asks for its SKUs, a push for thousands.
        table = Product.__table__
        query = select(table.c.sku, table.c.title, table.c.price, table.c.stock, table.c.ean, table.c.brand,
                       table.c.description, table.c.image_url, table.c.category).order_by(table.c.id)
        if skus is not None:
            query = query.where(table.c.sku.in_(list(skus)))
        # fetched a thousand rows at a time: row by row costs a third of reading 100,000 products
        for rows in db.session.execute(query).partitions(1000):
            for sku, title, price, stock, ean, brand, description, image_url, category in rows:
                yield ShopProduct(sku=sku, title=title, price=Decimal(price), stock=stock, ean=ean, brand=brand,
                                  description=description, image_url=image_url, category=category)

    def upsert_order(self, order: ShopOrder) -> str:
        return self.upsert_orders([order])[0]

    def upsert_orders(self, orders: list[ShopOrder]) -> list[str]:
        """Create or update the shop's orders of a page; the same as upsert_order for each in turn.

        Stock follows each order: reserved while it is open, kept when it ships, given
        back when it is cancelled; an order whose lines change is released and reserved
        again. A number given twice ends as its last copy, as two upsert_order calls would.
        """
        latest = {order.number: order for order in orders}
        if not latest:
            return []
        session = db.session
        orders_t, lines_t, products_t = Order.__table__, OrderLine.__table__, Product.__table__
        moves: Counter = Counter()
        ids: dict[str, int] = {}
        with session.no_autoflush:
            # The page's orders that exist, each with the lines that hold stock: one SELECT.
            for row in session.execute(
                    select(orders_t.c.id, orders_t.c.number, orders_t.c.stock_reserved, lines_t.c.sku,
                           lines_t.c.quantity, lines_t.c.matched)
                    .select_from(orders_t.outerjoin(lines_t, lines_t.c.order_id == orders_t.c.id))
                    .where(orders_t.c.number.in_(list(latest)))):
                ids[row.number] = row.id
                if row.stock_reserved and row.matched and row.sku:
                    moves[row.sku] += row.quantity  # released
            new, changed = [], []
            for order in latest.values():
                reserve = order.reserve_stock and order.status != "cancelled"
                if reserve:
                    for line in order.lines:
                        if line.matched and line.sku:
                            moves[line.sku] -= line.quantity
                values = {
                    "status": order.status, "customer_name": order.customer_name,
                    "address": one_line_address(order.address), "phone": order.phone, "currency": order.currency,
                    "total": order.total, "shipping": order.shipping, "tax": order.tax,
                    "fulfillment_channel": order.fulfillment_channel, "stock_reserved": reserve,
                    **amazon_details(order),
                }
                if order.number in ids:
                    changed.append({"order_id": ids[order.number], **values})
                else:
                    new.append({"number": order.number, "source": "amazon", **values})
            changed.sort(key=lambda c: c["order_id"])  # rows locked in one order by every importer
            if changed:
                session.execute(delete(lines_t).where(lines_t.c.order_id.in_([c["order_id"] for c in changed])))
                session.execute(update(orders_t).where(orders_t.c.id == bindparam("order_id")), changed)
            if new:
                # RETURNING gives each new id with its number (any row order: one multi-row INSERT)
                returned = session.execute(insert(orders_t).returning(orders_t.c.id, orders_t.c.number), new)
                ids.update({number: order_id for order_id, number in returned})
            lines = [{"order_id": ids[order.number], "sku": line.sku, "title": (line.title or "")[:200],
                      "quantity": line.quantity, "unit_price": line.unit_price, "matched": line.matched}
                     for order in latest.values() for line in order.lines]
            if lines:
                session.execute(insert(lines_t), lines)
            # One relative UPDATE per SKU in one executemany (never read-modify-write: concurrent
            # orders cannot lose a unit), in SKU order so that two importers never deadlock.
            stock = [{"sku_": sku, "delta": delta} for sku, delta in sorted(moves.items()) if delta]
            if stock:
                session.execute(update(products_t).where(products_t.c.sku == bindparam("sku_"))
                                .values(stock=products_t.c.stock + bindparam("delta")), stock)
        # Written past the ORM: an Order the session already holds is read again when next used.
        for order_id in ids.values():
            held = session.identity_map.get(identity_key(Order, order_id))
            if held is not None:
                session.expire(held)
        return [order.number for order in orders]

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
            row.tax_number = row.tax_office = row.tax_legal_name = row.tax_address = None

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
        self._changed(sku)

    def order_shipped(self, number: str, status: str) -> None:
        """Amazon confirmed a package (Kargo bildir, the shop's signal): the order shows it at once.
        The plugin commits; the next import sends the same status again (nothing changes then)."""
        row = db.session.scalar(select(Order).where(Order.number == number))
        if row is not None and row.status not in ("shipped", "cancelled"):
            row.status = status

    def set_price(self, sku: str, price: Decimal) -> None:
        """The shop admin's price change; the same listeners hear it, so the new price reaches Amazon
        within seconds (the push sends what the store's update type covers: price, stock or both)."""
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        product.price = price
        db.session.commit()
        self._changed(sku)

    def _changed(self, sku: str) -> None:
        for listener in self._stock_listeners:
            listener([sku])


def amazon_details(order: ShopOrder) -> dict:
    """The columns an Amazon order adds: ship-by (naive UTC, as SQLite keeps it), requests, invoice data."""
    ship_by = order.ship_by_latest
    return {
        "ship_by": ship_by.astimezone(timezone.utc).replace(tzinfo=None) if ship_by else None,
        "cancellation_requested": order.cancellation_requested, "cancellation_reason": order.cancellation_reason,
        "address_withheld": order.address_withheld, "invoice_type": order.invoice_type,
        "tax_number": order.tax_number, "tax_office": order.tax_office, "tax_legal_name": order.tax_legal_name,
        "tax_address": one_line_address(order.tax_address),
    }


def one_line_address(address: dict | None) -> str | None:
    if not address:
        return None
    parts = [address.get(k) for k in ("addressLine1", "addressLine2", "addressLine3", "districtOrCounty",
                                      "postalCode", "city")]
    return ", ".join(p for p in parts if p)
