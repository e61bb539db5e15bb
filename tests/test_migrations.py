"""The plugin's migrations build exactly the models' schema, beside a host's tables, and come back out."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from flask_amazon_tr import migrate
from flask_amazon_tr.models import Base


def _host_table(engine):
    # A host table named like Alembic's default version table must survive untouched.
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('host_rev_1')"))


def _plugin_tables(engine):
    return sorted(t for t in sa.inspect(engine).get_table_names() if t.startswith("amazon_tr_"))


def _drift(engine):
    def include(obj, name, type_, reflected, compare_to):
        return not (type_ == "table" and not name.startswith("amazon_tr_")) and name != migrate.VERSION_TABLE

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        return compare_metadata(ctx, Base.metadata)


def check_roundtrip(engine):
    _host_table(engine)
    migrate.upgrade(engine)
    expected = sorted(Base.metadata.tables) + [migrate.VERSION_TABLE]
    assert _plugin_tables(engine) == sorted(expected)
    assert _drift(engine) == []
    assert migrate.current(engine) is not None
    migrate.downgrade(engine, "base")
    assert _plugin_tables(engine) == [migrate.VERSION_TABLE]
    assert migrate.current(engine) is None
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "host_rev_1"
    migrate.upgrade(engine)  # and up again from empty
    assert _drift(engine) == []


def test_history_has_one_head():
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(migrate.alembic_config(None)).get_heads()
    assert len(heads) == 1, heads


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    check_roundtrip(engine)


@pytest.mark.postgres
def test_postgres_upgrade_matches_models_and_downgrades(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        check_roundtrip(engine)
    finally:
        engine.dispose()


def test_cli_upgrade_and_downgrade(runner, app):
    result = runner.invoke(args=["amazon", "db", "downgrade"])
    assert result.exit_code == 0, result.output
    assert "base" in result.output
    result = runner.invoke(args=["amazon", "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "amazon_tr tabloları" in result.output  # the CLI speaks Turkish (issue 17 §1)


def test_money_is_exact_at_rest_on_sqlite_and_postgres_alike(tmp_path):
    """Amounts never pass through a binary float: SQLite keeps their decimal text."""
    from decimal import Decimal

    from sqlalchemy.orm import Session

    from flask_amazon_tr.models import ListingSettings, Store

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'money.sqlite'}")
    migrate.upgrade(engine)
    with Session(engine) as db:
        store = Store(name="Kuruş", seller_id="A1TRDEMOSATICI", auto_update_type="all", active=True,
                      order_import=True, product_update=False)
        db.add(store)
        db.flush()
        db.add(ListingSettings(store_id=store.id, markup_percent=Decimal("12.35"),
                               fixed_amount=Decimal("9999999999.99")))
        db.commit()
    with engine.connect() as conn:
        raw = conn.execute(sa.text("SELECT typeof(fixed_amount), fixed_amount, markup_percent "
                                   "FROM amazon_tr_listing_settings")).one()
    assert raw == ("text", "9999999999.99", "12.35")
    with Session(engine) as db:
        settings = db.scalar(sa.select(ListingSettings))
        assert settings.fixed_amount == Decimal("9999999999.99") and isinstance(settings.fixed_amount, Decimal)


def _store_sql(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'amazon_tr_store'")).scalar()


def test_sqlite_store_ids_are_never_reused_and_the_upgrade_keeps_every_row(tmp_path):
    """0011 rebuilds amazon_tr_store with AUTOINCREMENT on a database in use, foreign keys on as the
    plugin runs them: no child row is lost, and no id a row still points at is given again."""
    from flask_amazon_tr.extension import enforce_sqlite_foreign_keys

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ids.sqlite'}")
    enforce_sqlite_foreign_keys(engine)
    migrate.upgrade(engine, "0010_order_set_aside")
    assert "AUTOINCREMENT" not in _store_sql(engine)
    with engine.begin() as conn:
        for store_id in (1, 2, 3):
            conn.execute(sa.text(
                "INSERT INTO amazon_tr_store (id, name, active, seller_id, order_import, product_update, "
                "auto_update_type, created_at, updated_at) VALUES (:id, :name, 1, 'A1TRDEMOSATICI', 1, 0, 'all', "
                "'2026-12-01 00:00:00', '2026-12-01 00:00:00')"), {"id": store_id, "name": f"Mağaza {store_id}"})
            conn.execute(sa.text("INSERT INTO amazon_tr_sync_run (store_id, kind, \"trigger\", status, started_at, "
                                 "counts_json) VALUES (:id, 'orders', 'manual', 'done', '2026-12-01 00:00:00', '{}')"),
                         {"id": store_id})
        # store 3 was deleted before foreign keys were on: its run stayed behind
        conn.execute(sa.text("PRAGMA foreign_keys = OFF"))
    with engine.connect() as conn:
        conn.execute(sa.text("PRAGMA foreign_keys = OFF"))
        conn.execute(sa.text("DELETE FROM amazon_tr_store WHERE id = 3"))
        conn.commit()
        conn.execute(sa.text("PRAGMA foreign_keys = ON"))
    migrate.upgrade(engine)
    assert "AUTOINCREMENT" in _store_sql(engine)
    assert _drift(engine) == []
    with engine.begin() as conn:
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1  # given back after the migration
        assert conn.execute(sa.text("SELECT COUNT(*) FROM amazon_tr_sync_run")).scalar() == 3
        assert conn.execute(sa.text("SELECT id, name FROM amazon_tr_store ORDER BY id")).all() == [
            (1, "Mağaza 1"), (2, "Mağaza 2")]
        conn.execute(sa.text("DELETE FROM amazon_tr_store WHERE id = 2"))  # cascades now
        assert conn.execute(sa.text("SELECT COUNT(*) FROM amazon_tr_sync_run")).scalar() == 2
        conn.execute(sa.text(
            "INSERT INTO amazon_tr_store (name, active, seller_id, order_import, product_update, auto_update_type, "
            "created_at, updated_at) VALUES ('Yeni', 1, 'A1TRDEMOSATICI', 1, 0, 'all', '2026-12-02 00:00:00', "
            "'2026-12-02 00:00:00')"))
        assert conn.execute(sa.text("SELECT id FROM amazon_tr_store WHERE name = 'Yeni'")).scalar() == 4
    migrate.downgrade(engine, "0010_order_set_aside")
    assert "AUTOINCREMENT" not in _store_sql(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM amazon_tr_sync_run")).scalar() == 2
    engine.dispose()
