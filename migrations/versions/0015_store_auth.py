"""Connecting a store as Amazon allows: self-authorization, Log-in URI, client secret rotation, one store per seller.

amazon_tr_store.authorized_via: how the refresh token came ("oauth": the consent page or
Seller Central's Manage Your Apps, a public application's grant that Amazon asks to renew
every 365 days; "self": pasted from a private application's self-authorization, with no
end date). Stores authorized before this revision came through the consent page.

One store per Satıcı Kodu is kept by the services (store form, every authorization path) and
checked by the API test, not by a unique index: a shop upgraded with two stores of one seller
would see the upgrade fail on the index, when the admin should rather be told which store to
delete (the API test of both says so).

Revision ID: 0015_store_auth
Revises: 0014_orders_tr
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_store_auth"
down_revision = "0014_orders_tr"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("amazon_tr_store") as batch:
        batch.add_column(sa.Column("authorized_via", sa.String(length=10), nullable=True))
    store = sa.table("amazon_tr_store", sa.column("authorized_via", sa.String),
                     sa.column("refresh_token_encrypted", sa.Text))
    op.execute(store.update().where(store.c.refresh_token_encrypted.is_not(None)).values(authorized_via="oauth"))


def downgrade():
    with op.batch_alter_table("amazon_tr_store") as batch:
        batch.drop_column("authorized_via")
