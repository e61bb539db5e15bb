"""Adding, changing and removing Amazon stores."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from .. import validation
from ..i18n import lazy_gettext as _l
from ..errors import InvalidSettings
from ..models import Store
from . import session

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


def _save(store: Store, values: dict) -> Store:
    if _name_taken(values["name"], store.id):
        raise InvalidSettings({"name": _l("Another store already has this name.")})
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


def delete_store(store: Store) -> None:
    db_session = session()
    if db_session.get_bind().dialect.name == "sqlite":
        # Without it SQLite leaves deleted rows in free pages, token included.
        db_session.execute(text("PRAGMA secure_delete = ON"))
    store.refresh_token_encrypted = None
    db_session.flush()
    db_session.delete(store)
    db_session.commit()
