"""``flask amazon db …``: the plugin's own migrations."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .. import migrate
from ..state import state
from .text import gettext as _


@click.group("db", help="The plugin's own database migrations.")
def db_group():
    pass


def _engine():
    return state().db.engine


def _revision() -> str:
    # "base": Alembic's name for "no table yet", the revision `downgrade` takes
    return migrate.current(_engine()) or "base"


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision):
    """Create or update the amazon_tr_* tables."""
    migrate.upgrade(_engine(), revision)
    click.echo(_("amazon_tr tables at revision %(revision)s", revision=_revision()))


@db_group.command("downgrade")
@click.argument("revision", default="base")
@with_appcontext
def db_downgrade(revision):
    """Undo migrations (default: remove every amazon_tr_* table)."""
    migrate.downgrade(_engine(), revision)
    click.echo(_("amazon_tr tables at revision %(revision)s", revision=_revision()))


@db_group.command("current")
@with_appcontext
def db_current():
    click.echo(_revision())
