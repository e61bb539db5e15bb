"""Kargo bildirimi: confirmed packages, Amazon's view of each imported order, carrier mapping per store.

Revision ID: 0007_shipments
Revises: 0004_orders
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0007_shipments"
down_revision = "0004_orders"
branch_labels = None
depends_on = None

STATES = ("pending", "sending", "retry", "confirmed", "failed")


def upgrade():
    op.create_table(
        "amazon_tr_shipment_settings",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("carriers_json", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_shipment_settings_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_amazon_tr_shipment_settings")),
    )
    op.create_table(
        "amazon_tr_shipment_order",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_status", sa.String(length=30), nullable=True),
        sa.Column("fulfilled_by", sa.String(length=10), nullable=True),
        sa.Column("items_json", sa.Text(), nullable=False),
        sa.Column("amazon_packages_json", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["amazon_tr_order.id"],
                                name=op.f("fk_amazon_tr_shipment_order_order_id_amazon_tr_order"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_amazon_tr_shipment_order")),
    )
    op.create_table(
        "amazon_tr_shipment_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=40), nullable=False),
        sa.Column("package_reference_id", sa.String(length=20), nullable=False),
        sa.Column("signal_key", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=False),
        sa.Column("carrier_code", sa.String(length=100), nullable=False),
        sa.Column("carrier_name", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=False),
        sa.Column("ship_date", UTCDateTime(), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_message", sa.Text(), nullable=True),
        sa.Column("last_request_id", sa.String(length=64), nullable=True),
        sa.Column("sending_since", UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN (%s)" % ", ".join(f"'{s}'" for s in STATES),
                           name=op.f("ck_amazon_tr_shipment_package_state")),
        sa.ForeignKeyConstraint(["order_id"], ["amazon_tr_order.id"],
                                name=op.f("fk_amazon_tr_shipment_package_order_id_amazon_tr_order"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_shipment_package_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_shipment_package")),
        sa.UniqueConstraint("order_id", "package_reference_id", name="uq_amazon_tr_shipment_package_order_reference"),
        sa.UniqueConstraint("order_id", "signal_key", name="uq_amazon_tr_shipment_package_order_signal"),
    )
    op.create_index("ix_amazon_tr_shipment_package_store_state", "amazon_tr_shipment_package",
                    ["store_id", "state"], unique=False)


def downgrade():
    op.drop_index("ix_amazon_tr_shipment_package_store_state", table_name="amazon_tr_shipment_package")
    op.drop_table("amazon_tr_shipment_package")
    op.drop_table("amazon_tr_shipment_order")
    op.drop_table("amazon_tr_shipment_settings")
