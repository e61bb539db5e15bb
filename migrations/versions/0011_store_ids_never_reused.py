"""A store's id is never given to another store.

SQLite gives a new row the highest id plus one, so a store created after the newest
one was deleted got the deleted store's id, and with it every row still pointing at
that id (orders, listing links, runs, a consent in progress). AUTOINCREMENT makes
SQLite remember the highest id it ever gave (table sqlite_sequence). The sequence
starts past every store id a row still points at, so rows a store deleted before
this migration left behind are never inherited either (the daily housekeeping
removes them, see services.stores.delete_leftovers).

PostgreSQL's sequences never give an id twice: nothing to do there.

Revision ID: 0011_store_ids_never_reused
Revises: 0010_order_set_aside
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0011_store_ids_never_reused"
down_revision = "0010_order_set_aside"
branch_labels = None
depends_on = None

#: Tables whose store_id points at amazon_tr_store (0002…0010).
STORE_CHILDREN = (
    "amazon_tr_oauth_state", "amazon_tr_sync_run", "amazon_tr_store_lease", "amazon_tr_order_settings",
    "amazon_tr_order", "amazon_tr_listing_settings", "amazon_tr_listing_link", "amazon_tr_listing_feed",
    "amazon_tr_scheduler_store", "amazon_tr_scheduler_claim", "amazon_tr_shipment_settings",
    "amazon_tr_shipment_package",
)


def _store_table() -> sa.Table:
    """amazon_tr_store as 0001 made it (no later migration changed it)."""
    return sa.Table(
        "amazon_tr_store", sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("seller_id", sa.String(length=20), nullable=False),
        sa.Column("store_url", sa.String(length=500), nullable=True),
        sa.Column("order_import", sa.Boolean(), nullable=False),
        sa.Column("product_update", sa.Boolean(), nullable=False),
        sa.Column("auto_update_type", sa.String(length=20), nullable=False),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=True),
        sa.Column("selling_partner_id", sa.String(length=20), nullable=True),
        sa.Column("authorized_at", UTCDateTime(), nullable=True),
        sa.Column("authorization_expires_at", UTCDateTime(), nullable=True),
        sa.Column("authorization_revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_test_at", UTCDateTime(), nullable=True),
        sa.Column("last_test_ok", sa.Boolean(), nullable=True),
        sa.Column("last_test_message", sa.Text(), nullable=True),
        sa.Column("last_test_details", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "auto_update_type IN ('all', 'product_info', 'price', 'stock', 'stock_price')",
            name="ck_amazon_tr_store_auto_update_type",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_amazon_tr_store"),
        sa.UniqueConstraint("name", name="uq_amazon_tr_store_name"),
    )


def _rebuild(autoincrement: bool) -> None:
    # SQLite takes AUTOINCREMENT only in CREATE TABLE: a copy of the table, rows and all.
    # env.py turns foreign keys off for the migration, so dropping the old copy cascades nowhere.
    with op.batch_alter_table("amazon_tr_store", recreate="always", copy_from=_store_table(),
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    _rebuild(True)
    highest = max(
        [bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM amazon_tr_store")).scalar()]
        + [bind.execute(sa.text(f"SELECT COALESCE(MAX(store_id), 0) FROM {table}")).scalar()
           for table in STORE_CHILDREN])
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'amazon_tr_store'"))
    bind.execute(sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('amazon_tr_store', :seq)"),
                 {"seq": highest})


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    _rebuild(False)
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'amazon_tr_store'"))
