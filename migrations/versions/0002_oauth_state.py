"""Pending consent requests for Yetkilendir.

Revision ID: 0002_oauth_state
Revises: 0001_stores
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0002_oauth_state"
down_revision = "0001_stores"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "amazon_tr_oauth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["store_id"], ["amazon_tr_store.id"],
                                name=op.f("fk_amazon_tr_oauth_state_store_id_amazon_tr_store"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_tr_oauth_state")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_amazon_tr_oauth_state_state_hash")),
    )
    op.create_index(op.f("ix_amazon_tr_oauth_state_store_id"), "amazon_tr_oauth_state", ["store_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_amazon_tr_oauth_state_store_id"), table_name="amazon_tr_oauth_state")
    op.drop_table("amazon_tr_oauth_state")
