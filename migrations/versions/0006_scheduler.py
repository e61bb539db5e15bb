"""Scheduler: per-store pause, per-job slot claims, the leader's heartbeat row.

Revision ID: 0006_scheduler
Revises: 0003_sync_runs
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0006_scheduler"
down_revision = "0003_sync_runs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_scheduler_store",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("paused_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_scheduler_store_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id", name=op.f("pk_amazon_tr_scheduler_store")),
    )
    op.create_table(
        "amazon_tr_scheduler_claim",
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", UTCDateTime(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_scheduler_claim_store_id_amazon_tr_store"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job", "slot", name=op.f("pk_amazon_tr_scheduler_claim")),
    )
    op.create_index(op.f("ix_amazon_tr_scheduler_claim_store_id"), "amazon_tr_scheduler_claim", ["store_id"],
                    unique=False)
    op.create_table(
        "amazon_tr_scheduler_leader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("lock", sa.String(length=20), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("heartbeat_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_scheduler_leader")),
    )


def downgrade():
    op.drop_table("amazon_tr_scheduler_leader")
    op.drop_index(op.f("ix_amazon_tr_scheduler_claim_store_id"), table_name="amazon_tr_scheduler_claim")
    op.drop_table("amazon_tr_scheduler_claim")
    op.drop_table("amazon_tr_scheduler_store")
