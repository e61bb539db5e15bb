"""Product feeds recorded before createFeed: the feedId may be unknown, the input document is kept.

Revision ID: 0008_feed_submitting
Revises: 0005_listings
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_feed_submitting"
down_revision = "0005_listings"
branch_labels = None
depends_on = None


def upgrade():
    # batch: SQLite changes a column's nullability only by copying the table
    with op.batch_alter_table("amazon_tr_listing_feed") as batch:
        batch.add_column(sa.Column("input_document_id", sa.String(length=200), nullable=True))
        batch.alter_column("feed_id", existing_type=sa.String(length=40), nullable=True)


def downgrade():
    # a feed whose id never became known cannot be kept without one
    op.execute("DELETE FROM amazon_tr_listing_feed WHERE feed_id IS NULL")
    # their products would otherwise wait forever for a feed that is gone
    op.execute("UPDATE amazon_tr_listing_link SET feed_id = NULL, pending_json = NULL "
               "WHERE feed_id LIKE 'submitting:%'")
    with op.batch_alter_table("amazon_tr_listing_feed") as batch:
        batch.alter_column("feed_id", existing_type=sa.String(length=40), nullable=False)
        batch.drop_column("input_document_id")
