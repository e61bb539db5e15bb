"""The seller's Amazon inventory: listings read with searchListingsItems before the first push.

Revision ID: 0012_amazon_inventory
Revises: 0011_store_ids_never_reused
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import Money, UTCDateTime

revision = "0012_amazon_inventory"
down_revision = "0011_store_ids_never_reused"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_amazon_listing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("asin", sa.String(length=20), nullable=True),
        sa.Column("product_type", sa.String(length=60), nullable=True),
        sa.Column("status", sa.String(length=60), nullable=False),
        sa.Column("fulfillment_channel", sa.String(length=30), nullable=True),
        sa.Column("price", Money(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("item_name", sa.String(length=300), nullable=True),
        sa.Column("issues_json", sa.Text(), nullable=False),
        sa.Column("amazon_updated_at", UTCDateTime(), nullable=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("store_id", "sku", name="uq_amazon_tr_amazon_listing_store_sku"),
    )
    op.create_index("ix_amazon_tr_amazon_listing_asin", "amazon_tr_amazon_listing", ["asin"])
    with op.batch_alter_table("amazon_tr_listing_settings") as batch:
        batch.add_column(sa.Column("inventory_read_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("inventory_since", UTCDateTime(), nullable=True))
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.add_column(sa.Column("amazon_fulfilled", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.drop_column("amazon_fulfilled")
    with op.batch_alter_table("amazon_tr_listing_settings") as batch:
        batch.drop_column("inventory_since")
        batch.drop_column("inventory_read_at")
    op.drop_index("ix_amazon_tr_amazon_listing_asin", table_name="amazon_tr_amazon_listing")
    op.drop_table("amazon_tr_amazon_listing")
