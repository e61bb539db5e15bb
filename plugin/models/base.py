"""The plugin's tables, all named amazon_tr_*.

They live on a metadata of their own, not on the host's ``db.Model``: the host's
``create_all`` never touches them, the plugin's Alembic migrations own them, and
the host's Flask-SQLAlchemy session still reads and writes them.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import (
    Boolean,
    Numeric,
    CheckConstraint,
    DateTime,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..state import maybe_state
from ..validation import AUTO_UPDATE_TYPES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Amazon asks a seller to re-authorize a *public* application every 365 days. It is the date the
#: plugin knows for a consent (website or Log-in URI) grant; a self-authorized private application
#: has no such date, and for neither does the plugin stop on its own clock: only Login with
#: Amazon's ``invalid_grant`` ends a grant (services.amazon.calling_amazon marks it revoked).
AUTHORIZATION_LIFETIME = timedelta(days=365)
#: How long before the known end date the store list and the daily check start to warn.
EXPIRY_WARNING = timedelta(days=30)

#: How the refresh token was obtained (``Store.authorized_via``).
VIA_OAUTH = "oauth"  # Yetkilendir (consent page) or Seller Central's Manage Your Apps (Log-in URI)
VIA_SELF = "self"  # pasted from Seller Central's self-authorization of a private application


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _plugin_now() -> datetime:
    """The mounted plugin's clock (simulated in tests and benchmarks), else the system's."""
    mounted = maybe_state(current_app) if has_app_context() else None
    return mounted.clock.now() if mounted is not None else utcnow()


class UTCDateTime(TypeDecorator):
    """Always timezone-aware UTC in Python, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Money(TypeDecorator):
    """Lira amounts as Decimal, exact at rest on every database.

    PostgreSQL keeps NUMERIC exactly; SQLite would keep NUMERIC as a binary
    float, so there the amount is stored as its decimal text instead.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 14, scale: int = 2) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.impl.precision + 2))
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(Decimal(1).scaleb(-self.scale))
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(str(value))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Store(Base):
    __tablename__ = "amazon_tr_store"
    __table_args__ = (
        CheckConstraint(
            "auto_update_type IN (%s)" % ", ".join(f"'{t}'" for t in AUTO_UPDATE_TYPES),
            name="auto_update_type",
        ),
        # An id is never given twice (SQLite would reuse the highest one): nothing a deleted
        # store left behind, nor a consent started for it, can land on a new store.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    seller_id: Mapped[str] = mapped_column(String(20))
    store_url: Mapped[str | None] = mapped_column(String(500))
    order_import: Mapped[bool] = mapped_column(Boolean, default=True)
    product_update: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_update_type: Mapped[str] = mapped_column(String(20), default="stock_price")

    # Authorization (Yetkilendir). The refresh token is Fernet-encrypted.
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    selling_partner_id: Mapped[str | None] = mapped_column(String(20))
    authorized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorization_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorization_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorized_via: Mapped[str | None] = mapped_column(String(10))

    # Last API test (API'yi test et).
    last_test_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_test_message: Mapped[str | None] = mapped_column(Text)
    last_test_details: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def authorization_state(self, now: datetime | None = None) -> str:
        """none, revoked, mismatch, expiring or ok.

        ``revoked``: Login with Amazon answered ``invalid_grant`` (the only end of a grant).
        ``mismatch``: authorized by another seller than the Satıcı Kodu (a store saved before such
        grants were refused); nothing syncs until the right seller authorizes.
        ``expiring``: the known end date (365 days after a consent) is 30 days away or has passed;
        the store still syncs, since Amazon may accept the grant longer, and says it is time to renew.
        """
        now = now or _plugin_now()
        if not self.refresh_token_encrypted:
            return "none"
        if self.authorization_revoked_at is not None:
            return "revoked"
        if self.selling_partner_id and self.selling_partner_id != self.seller_id:
            return "mismatch"
        if self.authorization_expires_at and self.authorization_expires_at - now <= EXPIRY_WARNING:
            return "expiring"
        return "ok"

    def authorization_overdue(self, now: datetime | None = None) -> bool:
        """The known end date has passed while Amazon still accepts the grant."""
        return bool(self.authorization_expires_at and self.authorization_expires_at <= (now or _plugin_now()))

    def refresh_token_unreadable(self) -> bool:
        """A refresh token is stored but no configured key decrypts it (its key was dropped from
        AMAZON_TR_ENCRYPTION_KEY, or no key is set): every call to Amazon for the store fails
        until the old key is back (then ``flask amazon rotate-key``) or the store is authorized again.
        False outside an application that mounts the plugin."""
        if not self.refresh_token_encrypted or not has_app_context():
            return False
        mounted = maybe_state(current_app)
        return mounted is not None and not mounted.cipher.readable(self.refresh_token_encrypted)

    def __repr__(self) -> str:
        return f"<Store {self.id} {self.name!r}>"
