"""Listing links, per-store listing settings and JSON_LISTINGS_FEED submissions.

Revision ID: 0005_listings
Revises: 0003_sync_runs
Create Date: 2026-11-28
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import Money, UTCDateTime

revision = "0005_listings"
down_revision = "0003_sync_runs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_listing_settings",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("stock_buffer", sa.Integer(), nullable=False),
        sa.Column("max_quantity", sa.Integer(), nullable=True),
        sa.Column("markup_percent", Money(precision=7, scale=2), nullable=False),
        sa.Column("fixed_amount", Money(precision=12, scale=2), nullable=False),
        sa.Column("rounding", sa.String(length=10), nullable=False),
        sa.Column("default_product_type", sa.String(length=60), nullable=True),
        sa.Column("category_map_json", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_listing_settings_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_amazon_tr_listing_settings")),
    )
    op.create_table(
        "amazon_tr_listing_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=200), nullable=False),
        sa.Column("ean", sa.String(length=20), nullable=True),
        sa.Column("asin", sa.String(length=20), nullable=True),
        sa.Column("product_type", sa.String(length=60), nullable=True),
        sa.Column("requirements", sa.String(length=30), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("issues_json", sa.Text(), nullable=False),
        sa.Column("locked_reason", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=32), nullable=True),
        sa.Column("price_hash", sa.String(length=32), nullable=True),
        sa.Column("stock_hash", sa.String(length=32), nullable=True),
        sa.Column("failed_hash", sa.String(length=32), nullable=True),
        sa.Column("amazon_price", Money(precision=12, scale=2), nullable=True),
        sa.Column("amazon_quantity", sa.Integer(), nullable=True),
        sa.Column("amazon_title", sa.String(length=300), nullable=True),
        sa.Column("price_lock_until", UTCDateTime(), nullable=True),
        sa.Column("feed_id", sa.String(length=40), nullable=True),
        sa.Column("pending_json", sa.Text(), nullable=True),
        sa.Column("last_pushed_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_listing_link_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_listing_link")),
        sa.UniqueConstraint("store_id", "sku", name="uq_amazon_tr_listing_link_store_sku"),
    )
    op.create_index(op.f("ix_amazon_tr_listing_link_feed_id"), "amazon_tr_listing_link", ["feed_id"], unique=False)
    op.create_table(
        "amazon_tr_listing_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_listing_feed_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_listing_feed")),
        sa.UniqueConstraint("feed_id", name=op.f("uq_amazon_tr_listing_feed_feed_id")),
    )
    op.create_index(op.f("ix_amazon_tr_listing_feed_store_id"), "amazon_tr_listing_feed", ["store_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_amazon_tr_listing_feed_store_id"), table_name="amazon_tr_listing_feed")
    op.drop_table("amazon_tr_listing_feed")
    op.drop_index(op.f("ix_amazon_tr_listing_link_feed_id"), table_name="amazon_tr_listing_link")
    op.drop_table("amazon_tr_listing_link")
    op.drop_table("amazon_tr_listing_settings")
