"""Amazon stores.

Revision ID: 0001_stores
Revises:
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0001_stores"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_store",
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
            name=op.f("ck_amazon_tr_store_auto_update_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_store")),
        sa.UniqueConstraint("name", name=op.f("uq_amazon_tr_store_name")),
    )


def downgrade():
    op.drop_table("amazon_tr_store")
