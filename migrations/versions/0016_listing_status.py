"""Amazon's own listing status (BUYABLE, DISCOVERABLE) read back after a push.

Revision ID: 0016_listing_status
Revises: 0015_store_auth
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0016_listing_status"
down_revision = "0015_store_auth"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.add_column(sa.Column("amazon_status", sa.String(length=60), nullable=True))
        batch.add_column(sa.Column("status_due_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("status_read_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_amazon_tr_listing_link_status_due_at", ["status_due_at"], unique=False)


def downgrade():
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.drop_index("ix_amazon_tr_listing_link_status_due_at")
        batch.drop_column("status_read_at")
        batch.drop_column("status_due_at")
        batch.drop_column("amazon_status")
