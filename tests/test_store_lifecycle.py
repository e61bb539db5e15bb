"""A store's whole life: deleted, it leaves nothing behind (rows, ids, pending consents, buyers in the shop);
its secrets survive a key rotation, and a key that no longer reads them shows on the store."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from conftest import csrf_from, make_app
from flask_amazon_tr.crypto import Cipher
from flask_amazon_tr.models import (
    Base, ImportedOrder, ListingFeed, ListingLink, ListingSettings, OAuthState, OrderImportSettings,
    SchedulerClaim, SchedulerStore, ShipmentOrder, ShipmentPackage, ShipmentSettings, Store, StoreLease, SyncRun,
)
from flask_amazon_tr.models.listings import AmazonListing
from test_authorization import callback, consent, start
from test_orders_helpers import add_store, orders_app, shop_orders


def _now(app):
    return app.extensions["amazon_tr"].clock.now()


def tables_under_stores() -> dict[str, list]:
    """Every plugin table whose rows belong to a store, directly or through another such table."""
    owned = {"amazon_tr_store"}
    grew = True
    while grew:
        grew = False
        for table in Base.metadata.sorted_tables:
            if table.name not in owned and any(fk.column.table.name in owned for fk in table.foreign_keys):
                owned.add(table.name)
                grew = True
    owned.discard("amazon_tr_store")
    return sorted(owned)


def fill_every_table(app, store_id: int) -> None:
    """One row in every table that belongs to a store, as a store in use has them."""
    from demo import db

    now = _now(app)
    with app.app_context():
        order = ImportedOrder(store_id=store_id, amazon_order_id=f"171-{store_id:07d}-0000001", shop_number=None,
                              state="pending", imported_at=now, updated_at=now)
        db.session.add(order)
        db.session.flush()
        db.session.add_all([
            OrderImportSettings(store_id=store_id, cursor=now),
            ListingSettings(store_id=store_id),
            ListingLink(store_id=store_id, sku="DEMO-0001"),
            ListingFeed(store_id=store_id, feed_id=f"F{store_id}", submitted_at=now),
            AmazonListing(store_id=store_id, sku="DEMO-0001", seen_at=now),
            SyncRun(store_id=store_id, kind="orders", status="done", started_at=now, finished_at=now),
            StoreLease(store_id=store_id, kind="products", holder="elsewhere:1:1", expires_at=now),
            OAuthState(state_hash=f"s{store_id}".ljust(64, "0"), session_hash="0" * 64, store_id=store_id,
                       created_at=now, expires_at=now + timedelta(minutes=10)),
            SchedulerStore(store_id=store_id, paused_at=now),
            SchedulerClaim(job=f"orders:{store_id}", slot=1, store_id=store_id, claimed_at=now, holder="h"),
            ShipmentSettings(store_id=store_id),
            ShipmentOrder(order_id=order.id),
            ShipmentPackage(store_id=store_id, order_id=order.id, amazon_order_id=order.amazon_order_id,
                            package_reference_id="1", signal_key="k", carrier="Yurtiçi", carrier_code="Yurtici",
                            tracking_number="YK1", ship_date=now, lines_json="[]"),
        ])
        db.session.commit()


def rows_of(app, store_id: int) -> dict[str, int]:
    """How many rows of each store-owned table still point at the store."""
    from demo import db

    found = {}
    with app.app_context():
        order_ids = select(ImportedOrder.id).where(ImportedOrder.store_id == store_id)
        for name in tables_under_stores():
            table = Base.metadata.tables[name]
            where = table.c.store_id == store_id if "store_id" in table.c else table.c.order_id.in_(order_ids)
            found[name] = db.session.scalar(select(func.count()).select_from(table).where(where))
        db.session.remove()
    return found


def create_store(app, name: str, seller_id: str = "A1TRDEMOSATICI") -> int:
    from demo import db
    from flask_amazon_tr.services.stores import StoreData, create_store as create

    with app.app_context():
        store_id = create(StoreData(name=name, seller_id=seller_id)).id
        db.session.remove()
        return store_id


def delete_from_page(admin, store_id: int) -> None:
    confirm = admin.get(f"/admin/amazon/stores/{store_id}/delete").get_data(as_text=True)
    response = admin.post(f"/admin/amazon/stores/{store_id}/delete", data={"csrf_token": csrf_from(confirm)})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shop.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def any_app(tmp_path, db_url):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=db_url)
    yield app
    from demo import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def any_admin(any_app):
    client = any_app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


# --- SQLite keeps its promises: foreign keys, ids ---------------------------------------------------------------

def test_the_plugins_sqlite_connections_enforce_foreign_keys(app):
    from demo import db

    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with db.engine.connect() as other:  # every connection of the pool, not only the first
            assert other.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.add(SyncRun(store_id=987654, kind="orders", started_at=_now(app)))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_a_deleted_store_leaves_no_row_and_its_id_is_never_given_again(any_app, any_admin):
    app, admin = any_app, any_admin
    assert len(tables_under_stores()) >= 12
    first = create_store(app, "Eski Mağaza")
    fill_every_table(app, first)
    assert set(rows_of(app, first).values()) == {1}, rows_of(app, first)
    delete_from_page(admin, first)
    assert set(rows_of(app, first).values()) == {0}, rows_of(app, first)

    second = create_store(app, "Yeni Mağaza")
    assert second > first  # SQLite would give the highest id again without AUTOINCREMENT
    assert set(rows_of(app, second).values()) == {0}
    page = admin.get(f"/admin/amazon/stores/{second}/orders").get_data(as_text=True)
    assert "171-" not in page


def test_rows_a_store_left_behind_before_the_fix_go_in_the_daily_housekeeping(app):
    from demo import db
    from flask_amazon_tr.services import schedule

    gone = create_store(app, "Eskiden Silinen")
    kept = create_store(app, "Duran", seller_id="A2TRIKINCISATC")
    fill_every_table(app, gone)
    fill_every_table(app, kept)
    with app.app_context():  # how a delete went on SQLite without foreign keys
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            conn.execute(sa.delete(Store.__table__).where(Store.__table__.c.id == gone))
            conn.commit()
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
    assert set(rows_of(app, gone).values()) == {1}
    with app.app_context():
        schedule.run_tick("purge", when=86400 * 20003)
        db.session.remove()
    assert set(rows_of(app, gone).values()) == {0}, rows_of(app, gone)
    assert set(rows_of(app, kept).values()) == {1}, rows_of(app, kept)


def test_a_consent_started_for_a_deleted_store_never_lands_on_another(tmp_path, sandbox):
    app = make_app(tmp_path, AMAZON_TR_SANDBOX="local", AMAZON_TR_LOCAL_SANDBOX_URL=sandbox.url)
    admin = app.test_client()
    with admin.session_transaction() as sess:
        sess["demo_admin"] = True
    deleted = create_store(app, "Silinecek")
    consent_url = start(admin, deleted)  # the seller is on Amazon's consent page now…
    delete_from_page(admin, deleted)  # …while the admin deletes the store
    other = create_store(app, "Başka Satıcı")
    response = callback(admin, consent(consent_url))
    from demo import db

    with app.app_context():
        store = db.session.get(Store, other)
        assert store.refresh_token_encrypted is None and store.authorization_state() == "none"
        assert db.session.scalar(select(func.count()).select_from(OAuthState)) == 0
    assert response.status_code in (302, 400)


# --- the shop forgets the store's buyers -------------------------------------------------------------------------

def test_deleting_a_store_forgets_its_buyers_in_the_shop(tmp_path, sandbox, db_url):
    """On PostgreSQL the cascade took the plugin's orders away and with them the purge's only way to the shop."""
    from flask_amazon_tr.services.orders import import_orders
    from flask_amazon_tr.services.stores import delete_store

    app = orders_app(tmp_path, sandbox, SQLALCHEMY_DATABASE_URI=db_url)
    store_id = add_store(app, sandbox.url)
    with app.app_context():
        assert import_orders(store_id).status == "done"
    before = [o for o in shop_orders(app) if o["customer_name"] not in (None, "Amazon müşterisi")]
    assert len(before) >= 10 and any(o["phone"] or o["address"] for o in before)
    from demo import db

    with app.app_context():
        delete_store(db.session.get(Store, store_id))
    after = shop_orders(app)
    assert {o["number"] for o in after} >= {o["number"] for o in before}  # the shop's orders stay…
    for order in after:  # …without the buyers
        assert order["customer_name"] in (None, "Amazon müşterisi") and order["address"] is None \
            and order["phone"] is None, order["number"]


def test_a_shop_that_cannot_forget_keeps_the_store_whole(tmp_path, sandbox):
    from flask_amazon_tr.services.orders import import_orders
    from flask_amazon_tr.services.stores import delete_store

    app = orders_app(tmp_path, sandbox)
    store_id = add_store(app, sandbox.url)
    with app.app_context():
        assert import_orders(store_id).status == "done"
    shop = app.extensions["demo_shop"]
    calls = []

    def forget_fails(number):
        calls.append(number)
        if len(calls) == 3:
            raise RuntimeError("the shop's database went away")
        type(shop).forget_customer(shop, number)

    shop.forget_customer = forget_fails
    from demo import db

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(ImportedOrder))
        with pytest.raises(RuntimeError):
            delete_store(db.session.get(Store, store_id))
        db.session.rollback()
        assert db.session.get(Store, store_id) is not None
        assert db.session.scalar(select(func.count()).select_from(ImportedOrder)) == count
    assert len(calls) == 3
    # (Amazon gives no buyer name for pending or cancelled orders: those have none to keep)
    assert all(o["customer_name"] != "Amazon müşterisi" for o in shop_orders(app))
    assert sum(o["customer_name"] is not None for o in shop_orders(app)) >= 20


# --- keys: rotation, and a key that no longer reads ---------------------------------------------------------------

def _use_keys(app, keys: str) -> None:
    app.config["AMAZON_TR_ENCRYPTION_KEY"] = keys
    app.extensions["amazon_tr"].cipher = Cipher(keys)


def _plugin_secrets(app) -> list[str]:
    from demo import db

    with app.app_context():
        values = list(db.session.scalars(select(Store.refresh_token_encrypted)
                                         .where(Store.refresh_token_encrypted.is_not(None))))
        for row in db.session.execute(select(ImportedOrder.buyer_name_encrypted, ImportedOrder.address_encrypted,
                                             ImportedOrder.phone_encrypted, ImportedOrder.tax_info_encrypted)):
            values.extend(v for v in row if v)
        db.session.remove()
    return values


@pytest.fixture
def keyed_shop(tmp_path, sandbox):
    """A store authorized and its orders imported under an old key."""
    from flask_amazon_tr.services.orders import import_orders

    old = Fernet.generate_key().decode()
    (tmp_path / "instance").mkdir()  # the demo makes it only when it writes a key of its own there
    app = orders_app(tmp_path, sandbox, AMAZON_TR_ENCRYPTION_KEY=old)
    store_id = add_store(app, sandbox.url)
    with app.app_context():
        assert import_orders(store_id).status == "done"
    return app, store_id, old


def test_rotate_key_puts_every_secret_under_the_newest_key(keyed_shop):
    app, store_id, old = keyed_shop
    new = Fernet.generate_key().decode()
    before = _plugin_secrets(app)
    assert len(before) >= 20
    _use_keys(app, f"{new},{old}")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["amazon", "rotate-key"])
    assert result.exit_code == 0, result.output
    assert "yeniden şifrelendi" in result.output and "1/1" in result.output, result.output
    after = _plugin_secrets(app)
    assert len(after) == len(before) and not set(after) & set(before)
    newest = Fernet(new.encode())
    assert all(newest.decrypt(v.encode()) for v in after)

    # idempotent: a second run finds nothing left to do and changes nothing
    again = runner.invoke(args=["amazon", "rotate-key"])
    assert again.exit_code == 0 and "0 değer yeniden şifrelendi" in again.output, again.output
    assert _plugin_secrets(app) == after

    # the old key can go now: the store still works, its buyers still read
    _use_keys(app, new)
    from demo import db
    from flask_amazon_tr.services.orders import import_orders, personal_data

    with app.app_context():
        assert import_orders(store_id).status == "done"
        rows = db.session.scalars(select(ImportedOrder).where(ImportedOrder.buyer_name_encrypted.is_not(None))).all()
        assert rows and all(personal_data(row)["name"] for row in rows)


def test_rotate_key_resumes_where_it_was_cut_off(keyed_shop):
    from flask_amazon_tr.services import keys

    app, store_id, old = keyed_shop
    new = Fernet.generate_key().decode()
    _use_keys(app, f"{new},{old}")
    total = len(_plugin_secrets(app))
    seen = []

    def cut_off(progress):
        seen.append(progress.done)
        if len(seen) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a kill, in the middle

    with app.app_context():
        with pytest.raises(KeyboardInterrupt):
            keys.rotate(on_batch=cut_off, batch_size=5)
        app.extensions["amazon_tr"].db.session.remove()
        newest = Fernet(new.encode())

        def under_newest(value):
            try:
                newest.decrypt(value.encode())
                return True
            except Exception:
                return False

        done = sum(under_newest(v) for v in _plugin_secrets(app))
        assert 0 < done < total  # what was committed before the cut stays done
        report = keys.rotate(batch_size=5)
        assert report.rotated == total - done and report.unreadable == 0
    assert all(under_newest(v) for v in _plugin_secrets(app))


def test_rotate_key_names_what_no_key_can_read(keyed_shop):
    app, store_id, old = keyed_shop
    _use_keys(app, Fernet.generate_key().decode())  # the old key is lost
    result = app.test_cli_runner().invoke(args=["amazon", "rotate-key"])
    assert result.exit_code == 1
    assert "okunamadı" in result.output and f"mağaza {store_id}" in result.output.lower(), result.output
    _use_keys(app, "")
    result = app.test_cli_runner().invoke(args=["amazon", "rotate-key"])
    assert result.exit_code == 1 and "AMAZON_TR_ENCRYPTION_KEY" in result.output and "Traceback" not in result.output


def test_a_store_whose_token_no_key_reads_says_so(keyed_shop):
    app, store_id, old = keyed_shop
    admin = app.test_client()
    with admin.session_transaction() as sess:
        sess["demo_admin"] = True
    listing = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "anahtar okunamıyor" not in listing.lower()
    _use_keys(app, Fernet.generate_key().decode())
    listing = admin.get("/admin/amazon/")
    assert listing.status_code == 200 and "anahtar okunamıyor" in listing.get_data(as_text=True).lower()
    page = admin.get(f"/admin/amazon/stores/{store_id}")
    assert page.status_code == 200 and "anahtar okunamıyor" in page.get_data(as_text=True).lower()
    out = app.test_cli_runner().invoke(args=["amazon", "stores"])
    assert "anahtar okunamıyor" in out.output.lower()
    # no key at all: the same words, and the API test answers in Turkish instead of a 500
    _use_keys(app, "")
    assert "anahtar okunamıyor" in admin.get("/admin/amazon/").get_data(as_text=True).lower()
    page = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    response = admin.post(f"/admin/amazon/stores/{store_id}/api-test", data={"csrf_token": csrf_from(page)},
                          headers={"HX-Request": "true"})
    assert response.status_code == 200 and "şifreleme anahtar" in response.get_data(as_text=True).lower()
