"""Order import under bad data: why an order was set aside, and how far a re-read of the overlap got.

amazon_tr_order.set_aside_reason: Amazon sent the order in a shape the shop must
not take (an absurd quantity, a non-text name, an amount that is no number…);
the Turkish reason shown on the import history page. The order is asked for
again (getOrder) on the next run; the column is emptied once it imports.

amazon_tr_order_settings.resume_after: while a run re-reads the overlap window
behind the cursor, how far it got; a run that was cut off there is continued
from this point instead of re-reading the window from its start, so a
restarted import always moves forward.

Revision ID: 0010_order_set_aside
Revises: 0009_one_head
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from flask_amazon_tr.models import UTCDateTime

revision = "0010_order_set_aside"
down_revision = "0009_one_head"
branch_labels = None
depends_on = None


def upgrade():
    # nullable columns: SQLite adds them in place, no table copy
    op.add_column("amazon_tr_order", sa.Column("set_aside_reason", sa.Text(), nullable=True))
    op.add_column("amazon_tr_order_settings", sa.Column("resume_after", UTCDateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("amazon_tr_order_settings") as batch:
        batch.drop_column("resume_after")
    with op.batch_alter_table("amazon_tr_order") as batch:
        batch.drop_column("set_aside_reason")
