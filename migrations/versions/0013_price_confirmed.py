"""A price far from Amazon's current one waits for the admin: the confirmed price is kept on the link.

Revision ID: 0013_price_confirmed
Revises: 0012_amazon_inventory
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import Money

revision = "0013_price_confirmed"
down_revision = "0012_amazon_inventory"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.add_column(sa.Column("price_confirmed", Money(precision=12, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table("amazon_tr_listing_link") as batch:
        batch.drop_column("price_confirmed")
