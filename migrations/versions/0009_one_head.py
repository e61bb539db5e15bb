"""One head again: the scheduler, shipments and feed branches join here.

0005, 0006 and 0007 were written side by side on 0003/0004, so the history had three
heads; from here on every migration has exactly one parent chain to follow.

Revision ID: 0009_one_head
Revises: 0006_scheduler, 0007_shipments, 0008_feed_submitting
Create Date: 2026-12-01
"""

revision = "0009_one_head"
down_revision = ("0006_scheduler", "0007_shipments", "0008_feed_submitting")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
