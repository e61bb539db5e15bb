"""Runs the plugin's Alembic migrations on the host's database.

The plugin keeps its own version table, so its migrations run beside the
host's (Flask-Migrate or plain Alembic) without either seeing the other.
"""
from __future__ import annotations

from alembic import command
from alembic.config import Config

from .resources import migrations_dir

VERSION_TABLE = "amazon_tr_alembic_version"


def alembic_config(engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("version_table", VERSION_TABLE)
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def current(engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        heads = sorted(ctx.get_current_heads())
        return ", ".join(heads) or None
