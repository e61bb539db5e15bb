"""Adding, changing and removing Amazon stores."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text, union
from sqlalchemy.exc import IntegrityError

from .. import validation
from ..i18n import lazy_gettext as _l
from ..errors import InvalidSettings
from ..models import Base, Store
from . import session
from .orders.privacy import forget_store_customers

log = logging.getLogger("amazon_tr")

EDITABLE = ("name", "active", "seller_id", "store_url", "order_import", "product_update", "auto_update_type")


@dataclass
class StoreData:
    name: str
    seller_id: str
    active: bool = True
    store_url: str | None = None
    order_import: bool = True
    product_update: bool = False
    auto_update_type: str = "stock_price"


def list_stores() -> list[Store]:
    return list(session().scalars(select(Store).order_by(Store.name)))


def get_store(store_id: int) -> Store | None:
    return session().get(Store, store_id)


def clean(data: StoreData) -> dict:
    """Normalize every field or raise InvalidSettings with all problems at once."""
    values, errors = {}, {}
    for field, rule in (
        ("name", validation.store_name),
        ("seller_id", validation.seller_id),
        ("store_url", validation.store_url),
        ("auto_update_type", validation.auto_update_type),
    ):
        try:
            values[field] = rule(getattr(data, field))
        except validation.InvalidValue as exc:
            errors[field] = exc.message
    for field in ("active", "order_import", "product_update"):
        values[field] = bool(getattr(data, field))
    if errors:
        raise InvalidSettings(errors)
    return values


def _name_taken(name: str, exclude_id: int | None) -> bool:
    query = select(func.count()).select_from(Store).where(Store.name == name)
    if exclude_id is not None:
        query = query.where(Store.id != exclude_id)
    return session().scalar(query) > 0


def store_of_seller(seller_id: str, *, exclude_id: int | None = None) -> Store | None:
    """The (first) store with this Satıcı Kodu, other than ``exclude_id``."""
    query = select(Store).where(Store.seller_id == seller_id).order_by(Store.id).limit(1)
    if exclude_id is not None:
        query = query.where(Store.id != exclude_id)
    return session().scalar(query)


def _seller_problem(store: Store, seller_id: str):
    """Why ``seller_id`` cannot be this store's Satıcı Kodu, or None.

    Two stores of one seller would import every order twice; an authorized store's code must stay
    the seller who authorized it, or the store would sync another seller's orders under its name.
    """
    other = store_of_seller(seller_id, exclude_id=store.id)
    if other is not None:
        return _l("The store “%(name)s” already has this Seller ID. An Amazon seller account can be added only once.",
                  name=other.name)
    if (store.refresh_token_encrypted and store.selling_partner_id and seller_id != store.selling_partner_id
            and seller_id != store.seller_id):
        return _l("This store is authorized by the Amazon seller %(partner)s, so its Seller ID must be %(partner)s. To connect another seller account, add it as a new store.",
                  partner=store.selling_partner_id)
    return None


def _save(store: Store, values: dict) -> Store:
    errors = {}
    if _name_taken(values["name"], store.id):
        errors["name"] = _l("Another store already has this name.")
    seller_problem = _seller_problem(store, values["seller_id"])
    if seller_problem is not None:
        errors["seller_id"] = seller_problem
    if errors:
        raise InvalidSettings(errors)
    for field in EDITABLE:
        setattr(store, field, values[field])
    db_session = session()
    db_session.add(store)
    try:
        db_session.commit()
    except IntegrityError:
        # Two admins saving the same name at once: the unique index decides.
        db_session.rollback()
        raise InvalidSettings({"name": _l("Another store already has this name.")}) from None
    return store


def create_store(data: StoreData) -> Store:
    return _save(Store(), clean(data))


def update_store(store: Store, data: StoreData) -> Store:
    return _save(store, clean(data))


def _store_owned_tables() -> list:
    """Every plugin table whose rows belong to a store, children first, each with the
    (column, parent table) that ties it to the store: directly, or through a row that is."""
    found: dict[str, tuple] = {}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name in found or table.name == Store.__tablename__:
                continue
            links = [fk for fk in table.foreign_keys
                     if fk.column.table.name == Store.__tablename__ or fk.column.table.name in found]
            if links:
                # a direct link to the store wins over one through another table
                link = min(links, key=lambda fk: fk.column.table.name != Store.__tablename__)
                found[table.name] = (table, link)
                grew = True
    order = [t.name for t in reversed(Base.metadata.sorted_tables)]
    return sorted(found.values(), key=lambda item: order.index(item[0].name))


def _rows_of(table, link, store_id: int, owned: dict):
    """The WHERE clause of ``table``'s rows that belong to the store."""
    parent = link.column.table
    if parent.name == Store.__tablename__:
        return link.parent == store_id
    parent_table, parent_link = owned[parent.name]
    return link.parent.in_(select(link.column).where(_rows_of(parent_table, parent_link, store_id, owned)))


def _delete_rows_of(store_id: int) -> None:
    """Every row of the store in every table, children first, in the caller's transaction.

    The foreign keys' ON DELETE CASCADE would do it on PostgreSQL and on SQLite with
    foreign keys on; this does not depend on either, and reaches tables added later.
    """
    tables = _store_owned_tables()
    owned = {table.name: (table, link) for table, link in tables}
    db_session = session()
    for table, link in tables:
        db_session.execute(delete(table).where(_rows_of(table, link, store_id, owned)))


def delete_store(store: Store) -> None:
    """Delete the store, its authorization and everything it left, in one transaction.

    First the shop forgets the buyers of the store's orders (``forget_customer``,
    as the 30-day purge does), then every row of the store goes, then the store:
    a failure anywhere undoes all of it, and the store is still there to delete again.
    """
    db_session = session()
    store_id = store.id
    if db_session.get_bind().dialect.name == "sqlite":
        # Without it SQLite leaves deleted rows in free pages, token included.
        db_session.execute(text("PRAGMA secure_delete = ON"))
    try:
        forgotten = forget_store_customers(store_id)
        _delete_rows_of(store_id)
        store.refresh_token_encrypted = None
        db_session.flush()
        db_session.delete(store)
        db_session.commit()
    except BaseException:
        db_session.rollback()
        raise
    log.info("store %s deleted with its rows; the shop forgot the buyers of %s order(s)", store_id, forgotten)


def delete_leftovers() -> int:
    """Rows of stores deleted while SQLite ran without foreign keys: forgotten by the shop, then deleted.

    Part of the daily housekeeping; on a database that always enforced its foreign
    keys there is nothing to find. Returns how many deleted stores had rows left.
    """
    tables = _store_owned_tables()
    direct = [link.parent for table, link in tables if link.column.table.name == Store.__tablename__]
    if not direct:
        return 0
    referenced = union(*[select(column.label("store_id")).where(column.is_not(None)) for column in direct]).subquery()
    db_session = session()
    gone = list(db_session.scalars(select(referenced.c.store_id).where(
        referenced.c.store_id.notin_(select(Store.id))).order_by(referenced.c.store_id)))
    for store_id in gone:
        try:
            forget_store_customers(store_id)
            _delete_rows_of(store_id)
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise
        log.info("removed the rows store %s left behind when it was deleted", store_id)
    return len(gone)
