"""``flask amazon …``: the same services the admin buttons call."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from . import migrate
from .crypto import generate_key


@click.group("amazon", help="Amazon Türkiye integration (flask-amazon-tr).")
def amazon_cli():
    pass


@amazon_cli.group("db", help="The plugin's own database migrations.")
def db_group():
    pass


def _engine():
    return current_app.extensions["amazon_tr"].db.engine


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Create or update the amazon_tr_* tables."""
    migrate.upgrade(_engine(), revision)
    click.echo(f"amazon_tr schema at {migrate.current(_engine())}")


@db_group.command("downgrade")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision):
    """Undo migrations (default: remove every amazon_tr_* table)."""
    migrate.downgrade(_engine(), revision)
    click.echo(f"amazon_tr schema at {migrate.current(_engine()) or 'base'}")


@db_group.command("current")
@with_appcontext
def db_current():
    click.echo(migrate.current(_engine()) or "base")


@amazon_cli.command("generate-key")
def generate_key_cmd():
    """Print a new AMAZON_TR_ENCRYPTION_KEY."""
    click.echo(generate_key())


@amazon_cli.command("stores")
@with_appcontext
def stores_cmd():
    """List the Amazon stores."""
    from .services.stores import list_stores

    stores = list_stores()
    if not stores:
        click.echo("No Amazon store yet.")
    for store in stores:
        click.echo(
            f"{store.id}\t{store.name}\t{store.seller_id}\t"
            f"{'active' if store.active else 'passive'}\tauthorization: {store.authorization_state()}"
        )


@amazon_cli.command("sandbox")
@click.option("--port", default=8600, show_default=True, help="Port on 127.0.0.1.")
def sandbox_cmd(port):
    """Serve the local Amazon sandbox alone."""
    from .sandbox.server import main

    main(port)
from . import cli_products  # noqa: E402,F401
from . import cli_orders  # noqa: E402,F401
from . import cli_scheduler  # noqa: E402,F401
