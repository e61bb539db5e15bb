"""Key rotation: every value the plugin keeps encrypted, encrypted again under the newest key.

AMAZON_TR_ENCRYPTION_KEY lists keys newest first. To replace a key: put the new
one first (``new,old``) and restart, run ``flask amazon rotate-key``, then drop the
old one. The rotation goes in batches, each committed: stopped half way (Ctrl-C,
a kill) it loses nothing, and run again it skips what is already under the newest
key, so it can be run as often as wanted. Each value is written only if it is still
the one that was read, so a purge or an import working meanwhile is never undone.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, func, or_, select, update

from ..crypto import DecryptionFailed, EncryptionKeyMissing
from ..models import ImportedOrder, Store
from . import session, state

#: Every encrypted column: (model, label for the progress lines, columns).
ENCRYPTED = (
    (Store, "stores", ("refresh_token_encrypted",)),
    (ImportedOrder, "orders", ("buyer_name_encrypted", "address_encrypted", "phone_encrypted", "tax_info_encrypted")),
)


@dataclass
class Progress:
    """Where the rotation is: rows of ``table`` looked at so far out of ``total``."""

    table: str
    done: int
    total: int
    rotated: int  # values re-encrypted so far, all tables


@dataclass
class RotationReport:
    rotated: int = 0  # values encrypted again under the newest key
    current: int = 0  # values already under it
    unreadable: int = 0  # values no configured key decrypts: left as they are
    unreadable_stores: list[tuple[int, str]] = field(default_factory=list)  # (id, name) of such stores
    unreadable_orders: int = 0


def rotate(*, batch_size: int = 500, on_batch=None) -> RotationReport:
    """Re-encrypt every stored secret and buyer field under the newest key; ``on_batch(Progress)``
    after each committed batch. Raises EncryptionKeyMissing when no key is configured."""
    cipher = state().cipher
    if not cipher.available:
        raise EncryptionKeyMissing("AMAZON_TR_ENCRYPTION_KEY is not set; there is no key to rotate to.")
    db = session()
    report = RotationReport()
    for model, label, columns in ENCRYPTED:
        table = model.__table__
        holding = or_(*[table.c[c].is_not(None) for c in columns])
        total = db.scalar(select(func.count()).select_from(table).where(holding))
        done, last_id = 0, 0
        while True:
            rows = db.execute(select(table.c.id, *[table.c[c] for c in columns])
                              .where(holding, table.c.id > last_id).order_by(table.c.id).limit(batch_size)).all()
            if not rows:
                break
            changes: dict[str, list[dict]] = {c: [] for c in columns}
            for row in rows:
                unreadable = False
                for column in columns:
                    value = getattr(row, column)
                    if value is None:
                        continue
                    if cipher.is_newest(value):
                        report.current += 1
                        continue
                    try:
                        changes[column].append({"_id": row.id, "_old": value, "_new": cipher.rotate(value)})
                    except DecryptionFailed:
                        report.unreadable += 1
                        unreadable = True
                if unreadable and model is Store:
                    report.unreadable_stores.append((row.id, db.get(Store, row.id).name))
                elif unreadable:
                    report.unreadable_orders += 1
            for column, params in changes.items():
                if params:
                    # only where the value is still the one read: a purge meanwhile is not undone
                    db.execute(update(table).where(table.c.id == bindparam("_id"),
                                                   table.c[column] == bindparam("_old"))
                               .values({column: bindparam("_new")}).execution_options(synchronize_session=False),
                               params)
                    report.rotated += len(params)
            db.commit()
            done += len(rows)
            last_id = rows[-1].id
            if on_batch is not None:
                on_batch(Progress(label, done, total, report.rotated))
    return report
