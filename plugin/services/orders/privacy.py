"""Buyers' personal data of imported orders: read for the shop, purged 30 days after the order closed."""
from __future__ import annotations

import json
import logging
from datetime import timedelta

from sqlalchemy import select

from ...models import ImportedOrder
from ...shop import FORGET_CUSTOMER
from .. import session, state

log = logging.getLogger("amazon_tr")

#: Amazon's data protection policy: buyer data no longer than 30 days after delivery.
PERSONAL_DATA_DAYS = 30


def purge_personal_data() -> int:
    """Empty buyers' name, address, phone and invoice details 30 days after the order shipped or was cancelled.

    The invoice details are the buyer's VKN/TCKN, vergi dairesi, legal name and
    address (a TCKN is a person's national id). The order keeps its non-personal
    data (number, items, amounts, status, invoice preference). The
    shop adapter's ``forget_customer(number)``, when it has one, pseudonymizes
    the shop's copy in the same transaction. Returns how many orders were purged.
    """
    db = session()
    st = state()
    now = st.clock.now()
    cutoff = now - timedelta(days=PERSONAL_DATA_DAYS)
    forget = getattr(st.shop, FORGET_CUSTOMER, None)
    purged = 0
    while True:
        batch = list(db.scalars(
            select(ImportedOrder)
            .where(ImportedOrder.closed_at.is_not(None), ImportedOrder.closed_at <= cutoff,
                   ImportedOrder.personal_data_purged_at.is_(None))
            .order_by(ImportedOrder.id).limit(500)))
        if not batch:
            break
        for row in batch:
            row.buyer_name_encrypted = row.address_encrypted = row.phone_encrypted = None
            row.tax_info_encrypted = None
            row.personal_data_purged_at = now
            if forget is not None and row.shop_number:
                forget(row.shop_number)
        db.commit()
        purged += len(batch)
    if purged:
        log.info("purged buyers' personal data of %s order(s)", purged)
    return purged


def forget_store_customers(store_id: int) -> int:
    """Before a store is deleted: the shop forgets the buyers of every order the store imported.

    The shop adapter's ``forget_customer(number)`` for each order whose buyer data
    the 30-day purge has not removed yet (after the store is gone that purge can
    no longer reach them). Writes in the caller's transaction and never commits:
    the store's deletion commits it, or a failure undoes both. Returns how many
    orders the shop was asked to forget.
    """
    forget = getattr(state().shop, FORGET_CUSTOMER, None)
    numbers = list(session().scalars(
        select(ImportedOrder.shop_number)
        .where(ImportedOrder.store_id == store_id, ImportedOrder.shop_number.is_not(None),
               ImportedOrder.personal_data_purged_at.is_(None))
        .order_by(ImportedOrder.id)))
    if forget is None:
        if numbers:
            log.warning("store %s: the shop adapter has no %s; the shop keeps the buyers of %s order(s) of the "
                        "deleted store", store_id, FORGET_CUSTOMER, len(numbers))
        return 0
    for number in numbers:
        forget(number)
    return len(numbers)


def personal_data(row: ImportedOrder) -> dict | None:
    """The decrypted buyer data of one order (for the shop's own use), None once purged.

    ``tax``: the buyer's tax registration (number, type, office, legal_name, address), or None.
    """
    if row.personal_data_purged_at is not None:
        return None
    cipher = state().cipher
    address = cipher.decrypt(row.address_encrypted)
    tax = cipher.decrypt(row.tax_info_encrypted)
    return {"name": cipher.decrypt(row.buyer_name_encrypted),
            "address": json.loads(address) if address else None,
            "phone": cipher.decrypt(row.phone_encrypted),
            "tax": json.loads(tax) if tax else None}
