"""Sync runs and per-store leases.

Revision ID: 0003_sync_runs
Revises: 0002_oauth_state
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0003_sync_runs"
down_revision = "0002_oauth_state"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("cursor", sa.String(length=64), nullable=True),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_sync_run_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_sync_run")),
    )
    op.create_index(op.f("ix_amazon_tr_sync_run_store_id"), "amazon_tr_sync_run", ["store_id"], unique=False)
    op.create_table(
        "amazon_tr_store_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_store_lease_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_store_lease")),
        sa.UniqueConstraint("store_id", "kind", name="uq_amazon_tr_store_lease_store_kind"),
    )


def downgrade():
    op.drop_table("amazon_tr_store_lease")
    op.drop_index(op.f("ix_amazon_tr_sync_run_store_id"), table_name="amazon_tr_sync_run")
    op.drop_table("amazon_tr_sync_run")
