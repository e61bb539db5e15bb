"""Orders as Turkish shops need them: ship-by window, buyer cancellation requests, invoice (TAX) data, missing-role flags.

amazon_tr_order: ship_by_earliest/ship_by_latest (fulfillment.shipByWindow),
cancellation_requested/cancellation_reason (a buyer's cancellation request),
address_withheld (a ready merchant-fulfilled order without a delivery address:
the application lacks Amazon's restricted role), invoice_preference (individual
or business: e-Arşiv or e-Fatura), tax_info_encrypted (the buyer's VKN/TCKN, vergi
dairesi, legal name and address, Fernet-encrypted and purged like the other
personal data), lines_json (the order page's lines) and backfilled (found
already shipped or cancelled by the store's first import: it never holds stock).

amazon_tr_order_settings.backfill_before: when the store's first import began;
orders placed before it that are already shipped or cancelled never reserve stock.

Revision ID: 0014_orders_tr
Revises: 0013_price_confirmed
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0014_orders_tr"
down_revision = "0013_price_confirmed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amazon_tr_order") as batch:
        batch.add_column(sa.Column("ship_by_earliest", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("ship_by_latest", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("cancellation_requested", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("cancellation_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("address_withheld", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("backfilled", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("invoice_preference", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("lines_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("tax_info_encrypted", sa.Text(), nullable=True))
        batch.create_index("ix_amazon_tr_order_store_ship_by", ["store_id", "ship_by_latest"])
    with op.batch_alter_table("amazon_tr_order_settings") as batch:
        batch.add_column(sa.Column("backfill_before", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("amazon_tr_order_settings") as batch:
        batch.drop_column("backfill_before")
    with op.batch_alter_table("amazon_tr_order") as batch:
        batch.drop_index("ix_amazon_tr_order_store_ship_by")
        for name in ("tax_info_encrypted", "lines_json", "invoice_preference", "backfilled", "address_withheld",
                     "cancellation_reason", "cancellation_requested", "ship_by_latest", "ship_by_earliest"):
            batch.drop_column(name)
