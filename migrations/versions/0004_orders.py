"""Imported orders and per-store order import settings (cursor, prefix, unknown SKU policy).

Revision ID: 0004_orders
Revises: 0003_sync_runs
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import Money, UTCDateTime

revision = "0004_orders"
down_revision = "0003_sync_runs"
branch_labels = None
depends_on = None

STATES = ("pending", "ready", "partially_shipped", "shipped", "cancelled", "skipped")


def upgrade():
    op.create_table(
        "amazon_tr_order_settings",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("number_prefix", sa.String(length=20), nullable=True),
        sa.Column("unknown_sku", sa.String(length=20), nullable=False),
        sa.Column("cursor", UTCDateTime(), nullable=True),
        sa.Column("cursor_updated_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("unknown_sku IN ('skip', 'unmatched')",
                           name=op.f("ck_amazon_tr_order_settings_unknown_sku")),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_order_settings_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_amazon_tr_order_settings")),
    )
    op.create_table(
        "amazon_tr_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=40), nullable=False),
        sa.Column("shop_number", sa.String(length=64), nullable=True),
        sa.Column("shop_ref", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("amazon_status", sa.String(length=30), nullable=True),
        sa.Column("fulfillment_channel", sa.String(length=10), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", Money(precision=14, scale=2), nullable=False),
        sa.Column("shipping", Money(precision=14, scale=2), nullable=False),
        sa.Column("tax", Money(precision=14, scale=2), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("unknown_skus", sa.Text(), nullable=True),
        sa.Column("purchased_at", UTCDateTime(), nullable=True),
        sa.Column("amazon_updated_at", UTCDateTime(), nullable=True),
        sa.Column("amazon_digest", sa.String(length=64), nullable=True),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("buyer_name_encrypted", sa.Text(), nullable=True),
        sa.Column("address_encrypted", sa.Text(), nullable=True),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("personal_data_purged_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint("state IN (%s)" % ", ".join(f"'{s}'" for s in STATES),
                           name=op.f("ck_amazon_tr_order_state")),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_order_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_order")),
        sa.UniqueConstraint("store_id", "amazon_order_id", name="uq_amazon_tr_order_store_amazon_order"),
    )
    op.create_index("ix_amazon_tr_order_store_imported", "amazon_tr_order", ["store_id", "imported_at"],
                    unique=False)
    op.create_index("ix_amazon_tr_order_closed_purge", "amazon_tr_order",
                    ["closed_at", "personal_data_purged_at"], unique=False)


def downgrade():
    op.drop_index("ix_amazon_tr_order_closed_purge", table_name="amazon_tr_order")
    op.drop_index("ix_amazon_tr_order_store_imported", table_name="amazon_tr_order")
    op.drop_table("amazon_tr_order")
    op.drop_table("amazon_tr_order_settings")
