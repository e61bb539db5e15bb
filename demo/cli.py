"""``flask --app wsgi demo init``: the demo's tables, the plugin's migrations and the demo products."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from flask_amazon_tr import migrate
from flask_amazon_tr.crypto import DecryptionFailed

from .models import Order, db
from .seed import seed_products

demo_cli = AppGroup("demo", help="The demo shop's own commands.")


@demo_cli.command("init")
def demo_init():
    """Create the shop's tables, run the plugin's migrations and add demo products."""
    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    if _demo_tables_outdated():
        # Only the demo's own sample tables: a real shop migrates its tables its own way.
        click.echo("the demo database is from an older version: starting it afresh with new demo data")
        migrate.downgrade(db.engine, "base")  # the plugin's rows point at the old shop orders
        db.drop_all()
    db.create_all()
    migrate.upgrade(db.engine)
    added = seed_products()
    click.echo(f"demo shop ready: {added} products added, amazon_tr schema at {migrate.current(db.engine)}")


def _demo_tables_outdated() -> bool:
    inspector = db.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        if inspector.has_table(table.name):
            have = {c["name"] for c in inspector.get_columns(table.name)}
            if set(table.columns.keys()) - have:
                return True
    if inspector.has_table(Order.__tablename__):
        try:
            db.session.scalars(select(Order).limit(1)).all()
        except (DecryptionFailed, ValueError, UnicodeError):  # written in plain text by an older demo
            db.session.rollback()
            return True
    return False

