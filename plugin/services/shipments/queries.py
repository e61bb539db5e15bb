"""What the shipment pages and rules read: orders, packages, units still to ship, why an order is refused."""
from __future__ import annotations

from sqlalchemy import func, select

from ...i18n import lazy_gettext as _l
from ...models import ImportedOrder
from ...models.orders import TO_SHIP_STATES
from ...models.shipments import ShipmentOrder, ShipmentPackage
from .. import session
from .snapshot import snapshot_of


def order_of(store_id: int, order_id: int) -> ImportedOrder | None:
    order = session().get(ImportedOrder, order_id)
    return order if order is not None and order.store_id == store_id else None


def package_of(store_id: int, package_id: int) -> ShipmentPackage | None:
    package = session().get(ShipmentPackage, package_id)
    return package if package is not None and package.store_id == store_id else None


def find_order(order_number: str, *, store_id: int | None = None) -> ImportedOrder | None:
    """The imported order the shop knows as ``order_number``."""
    query = select(ImportedOrder).where(ImportedOrder.shop_number == order_number)
    if store_id is not None:
        query = query.where(ImportedOrder.store_id == store_id)
    return session().scalars(query.order_by(ImportedOrder.id)).first()


PER_PAGE = 50
#: The shipments list's views: what still needs the seller (the default), what Amazon ships, what
#: was cancelled, everything.
VIEWS = ("to_ship", "fba", "cancelled", "all")


def _view_filter(view: str):
    if view == "to_ship":
        return (ImportedOrder.fulfillment_channel != "amazon") & ImportedOrder.state.in_(TO_SHIP_STATES)
    if view == "fba":
        return ImportedOrder.fulfillment_channel == "amazon"
    if view == "cancelled":
        return (ImportedOrder.fulfillment_channel != "amazon") & (ImportedOrder.state == "cancelled")
    return None


def view_counts(store_id: int) -> dict[str, int]:
    """How many of the store's orders each view holds; one query."""
    row = session().execute(select(
        *[func.count().filter(_view_filter(view)) for view in VIEWS[:-1]], func.count())
        .select_from(ImportedOrder).where(ImportedOrder.store_id == store_id)).one()
    return dict(zip(VIEWS, (int(n or 0) for n in row)))


def orders_with_packages(store_id: int, *, page: int = 1, per_page: int = PER_PAGE, view: str = "all"
                         ) -> tuple[list[ImportedOrder], dict[int, list], int]:
    """One page of the store's Amazon orders in ``view``, with, per order id, its packages, and how
    many orders the view holds. Orders still to ship come by their ship-by deadline (the most urgent
    first); the other views newest first. Three queries whatever the page or the number of orders."""
    db = session()
    where = [ImportedOrder.store_id == store_id]
    condition = _view_filter(view)
    if condition is not None:
        where.append(condition)
    total = db.scalar(select(func.count()).select_from(ImportedOrder).where(*where))
    if view == "to_ship":
        order_by = (ImportedOrder.ship_by_latest.asc().nulls_last(), ImportedOrder.purchased_at.asc().nulls_last(),
                    ImportedOrder.id)
    else:
        order_by = (ImportedOrder.purchased_at.desc().nulls_last(), ImportedOrder.id.desc())
    orders = list(db.scalars(select(ImportedOrder).where(*where).order_by(*order_by)
                             .offset((max(page, 1) - 1) * per_page).limit(per_page)))
    packages: dict[int, list[ShipmentPackage]] = {}
    if orders:
        for pkg in db.scalars(select(ShipmentPackage).where(
                ShipmentPackage.order_id.in_([o.id for o in orders])).order_by(ShipmentPackage.id)):
            packages.setdefault(pkg.order_id, []).append(pkg)
    return orders, packages, total or 0


def packages_of(order: ImportedOrder) -> list[ShipmentPackage]:
    return list(session().scalars(select(ShipmentPackage).where(ShipmentPackage.order_id == order.id)
                                  .order_by(ShipmentPackage.id)))


def shipped_by_us(order: ImportedOrder) -> dict[str, int]:
    """Units per orderItemId in our packages that are not failed."""
    done: dict[str, int] = {}
    for pkg in packages_of(order):
        if pkg.state == "failed":
            continue
        for line in pkg.lines:
            if line.get("orderItemId"):
                done[line["orderItemId"]] = done.get(line["orderItemId"], 0) + int(line["quantity"])
    return done


def remaining(order: ImportedOrder, snap: ShipmentOrder | None) -> dict[str, int]:
    """Units of each item still to ship, from Amazon's count and our own packages."""
    if snap is None:
        return {}
    ours = shipped_by_us(order)
    return {item["orderItemId"]: max(0, item["quantityOrdered"] - max(item["quantityFulfilled"],
                                                                        ours.get(item["orderItemId"], 0)))
            for item in snap.items}


#: Amazon's statuses of an order whose payment is not authorized yet: Orders v0 confirmShipment answers
#: "The order is not ready for shipment" (orders-v0.json OrderStatus Pending, PendingAvailability).
NOT_READY = ("PENDING", "PENDING_AVAILABILITY")


def latest_status(order: ImportedOrder, snap: ShipmentOrder | None) -> str | None:
    """Amazon's newest word on the order's status: the snapshot unless the import saw a later change."""
    if snap is None:
        return order.amazon_status
    # Amazon's own lastUpdatedTime, seen by the import, against the moment we last asked Amazon
    changed = order.amazon_updated_at
    if changed is not None and snap.fetched_at is not None and changed > snap.fetched_at:
        return order.amazon_status or snap.fulfillment_status
    return snap.fulfillment_status


def not_ready(order: ImportedOrder, snap: ShipmentOrder | None) -> bool:
    return latest_status(order, snap) in NOT_READY


def refusal_reason(order: ImportedOrder, snap: ShipmentOrder | None = None):
    """Why this order is not confirmed by us (a lazy message), or None."""
    snap = snap if snap is not None else snapshot_of(order)
    if order.fulfillment_channel == "amazon" or (snap is not None and snap.fulfilled_by == "AMAZON"):
        return _l("Amazon ships this order from its own warehouse (FBA): Amazon reports its shipment itself.")
    if order.state == "cancelled" or (snap is not None and snap.fulfillment_status == "CANCELLED"):
        return _l("The order is cancelled: no shipment is reported for it.")
    if not_ready(order, snap):
        return _l("Amazon has not approved the buyer's payment yet (Beklemede): the order cannot be shipped or "
                  "reported yet. Report the shipment once Amazon shows the order as waiting to be shipped.")
    return None
