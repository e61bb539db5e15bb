"""Alembic environment of flask-amazon-tr: only the amazon_tr_* tables."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from flask_amazon_tr.migrate import VERSION_TABLE
from flask_amazon_tr.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):
    # The host's tables share the database; never diff or touch them.
    if type_ == "table":
        return name.startswith("amazon_tr_")
    return True


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # pysqlite commits by itself before every CREATE/ALTER, so a process killed
            # mid-upgrade would leave half a schema and no version row; with the driver's
            # own transaction handling off and one explicit BEGIN, the whole upgrade is
            # one SQLite transaction, undone by the journal after a crash.
            raw = connection.connection.driver_connection
            previous = raw.isolation_level
            raw.isolation_level = None
            # Foreign keys off while tables are rebuilt (SQLite's own recipe for ALTER TABLE):
            # with them on, dropping the old copy of a parent table would cascade to its
            # children. Set outside the transaction (SQLite ignores it inside one), restored after.
            foreign_keys = raw.execute("PRAGMA foreign_keys").fetchone()[0]
            raw.execute("PRAGMA foreign_keys = OFF")
            connection.exec_driver_sql("BEGIN")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if sqlite:
                if raw.in_transaction:  # the upgrade failed: undone, as the journal would
                    raw.rollback()
                raw.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
                raw.isolation_level = previous


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
