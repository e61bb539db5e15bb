"""Amazon Mağazalarım: adding, editing, listing and deleting stores through the admin pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import csrf_from
from flask_amazon_tr.models import Store

GOOD = {
    "name": "Amazon Mağazam",
    "active": "1",
    "seller_id": "A1B2C3D4E5F6G7",
    "store_url": "https://www.amazon.com.tr/s?me=A1B2C3D4E5F6G7",
    "order_import": "1",
    "product_update": "0",
    "auto_update_type": "stock_price",
}


def post_form(admin, url, **changes):
    page = admin.get(url)
    data = dict(GOOD, **changes, csrf_token=csrf_from(page.get_data(as_text=True)))
    return admin.post(url, data=data)


def stores(app):
    from demo import db

    with app.app_context():
        return db.session.scalars(select(Store).order_by(Store.id)).all()


def test_empty_state_invites_to_add_a_store(admin):
    html = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "Henüz bir Amazon mağazası eklemediniz" in html
    assert "Mağaza Ekle" in html
    for crumb in ("Pazaryeri", "Mağazalar", "Amazon Mağazalarım"):
        assert crumb in html


def test_add_form_speaks_the_help_pages_words(admin):
    html = admin.get("/admin/amazon/stores/new").get_data(as_text=True)
    for words in ("Mağaza Tanımı", "Mağaza Durumu", "Satıcı Kodu", "Hesap Bilgisi", "Mağaza Adresi",
                  "Sipariş Aktarımı", "Ürün Güncelleme İşlemi", "Ürün Otomatik Güncelleme Tipi", "Tüm Bilgiler",
                  "Sadece Ürün Bilgileri", "Sadece Fiyat", "Sadece Stok", "Stok ve Fiyat", "kampanya",
                  "Katalogda yer alan ürünlerin", "Pasif durumdayken sipariş ve ürün entegrasyonu durur",
                  "en alt kısmında Amazon logosu"):
        assert words in html, words


def test_add_store_then_it_is_listed(app, admin):
    response = post_form(admin, "/admin/amazon/stores/new", name="  İstanbul Şubesi ğüöçı  ")
    assert response.status_code == 302
    [store] = stores(app)
    assert store.name == "İstanbul Şubesi ğüöçı"  # trimmed, Turkish letters as typed
    html = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "İstanbul Şubesi ğüöçı" in html
    assert "A1B2C3D4E5F6G7" in html
    assert "Yetkilendirilmedi" in html
    assert "Test edilmedi" in html
    assert "Stok ve Fiyat" in html


def test_seller_id_is_trimmed_and_ascii_uppercased(app, admin):
    post_form(admin, "/admin/amazon/stores/new", seller_id="  a1b2 c3d4e5f6g7 ")
    assert stores(app)[0].seller_id == "A1B2C3D4E5F6G7"


@pytest.mark.parametrize("value", ["", "B1B2C3D4E5F6G7", "A12345", "A1B2C3D4E5F6G7H8I9", "A1B2C3D4E5F6Gı",
                                   "a1b2c3d4e5f6gİ", "A1B2-C3D4E5F6G"])
def test_bad_seller_id_says_where_to_find_it(app, admin, value):
    response = post_form(admin, "/admin/amazon/stores/new", seller_id=value)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hesap Bilgisi → Satıcı Kodu" in html
    assert "Bazı alanları kontrol etmeniz gerekiyor" in html
    assert stores(app) == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://evil.example", "http://www.amazon.com.tr/s?me=X",
                                 "https://evil.example/amazon.com.tr", "https://amazon.com.tr.evil.example/",
                                 "https://www.amazon.com.tr:8443/", "https://user@www.amazon.com.tr/",
                                 "https://www.amazon.com/shops/x", "https://www.amazon.com.tr/ a",
                                 "https://www.amazon.com.tr/" + "a" * 600])
def test_bad_store_url_is_refused_and_input_kept(app, admin, url):
    response = post_form(admin, "/admin/amazon/stores/new", store_url=url, name="Kalıcı İsim")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mağaza Adresi" in html and ("amazon.com.tr" in html or "karakter" in html)
    assert 'value="Kalıcı İsim"' in html  # what was typed is kept
    assert stores(app) == []


@pytest.mark.parametrize("url", ["https://www.amazon.com.tr/s?me=A1B2C3D4E5F6G7&marketplaceID=A33AVAJ2PDY3EV",
                                 "https://amazon.com.tr/stores/page/ABC", "HTTPS://WWW.AMAZON.COM.TR/x", ""])
def test_good_store_urls(app, admin, url):
    assert post_form(admin, "/admin/amazon/stores/new", store_url=url).status_code == 302
    assert stores(app)[0].store_url == (url or None)


def test_name_rules(app, admin):
    too_long = post_form(admin, "/admin/amazon/stores/new", name="ş" * 1000)
    assert too_long.status_code == 422
    assert "en fazla 100 karakter" in too_long.get_data(as_text=True)
    blank = post_form(admin, "/admin/amazon/stores/new", name="   ")
    assert "Mağaza için bir isim girin" in blank.get_data(as_text=True)
    control = post_form(admin, "/admin/amazon/stores/new", name="Kötü\x00İsim")
    assert control.status_code == 422
    assert post_form(admin, "/admin/amazon/stores/new", name="ı" * 100).status_code == 302
    duplicate = post_form(admin, "/admin/amazon/stores/new", name="ı" * 100)
    assert "Bu isimde başka bir mağaza zaten var" in duplicate.get_data(as_text=True)
    assert len(stores(app)) == 1


def test_bad_choice_values_are_refused_not_500(app, admin):
    for field, value in (("auto_update_type", "everything"), ("active", "maybe"), ("order_import", "2")):
        response = post_form(admin, "/admin/amazon/stores/new", **{field: value})
        assert response.status_code == 422, field
    assert stores(app) == []


def test_edit_store_keeps_values_and_saves(app, admin):
    post_form(admin, "/admin/amazon/stores/new")
    store_id = stores(app)[0].id
    html = admin.get(f"/admin/amazon/stores/{store_id}").get_data(as_text=True)
    assert 'value="Amazon Mağazam"' in html
    assert "Yetkilendirme" in html
    response = post_form(admin, f"/admin/amazon/stores/{store_id}", name="Yeni İsim", active="0",
                         auto_update_type="stock", store_url="")
    assert response.status_code == 302
    [store] = stores(app)
    assert (store.name, store.active, store.auto_update_type, store.store_url) == ("Yeni İsim", False, "stock", None)
    listed = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "Pasif" in listed and "Sadece Stok" in listed


def test_edit_with_bad_value_changes_nothing(app, admin):
    post_form(admin, "/admin/amazon/stores/new")
    store_id = stores(app)[0].id
    response = post_form(admin, f"/admin/amazon/stores/{store_id}", seller_id="xyz", name="Başka")
    assert response.status_code == 422
    assert stores(app)[0].name == "Amazon Mağazam"


def test_delete_asks_then_deletes(app, admin):
    post_form(admin, "/admin/amazon/stores/new")
    store_id = stores(app)[0].id
    confirm = admin.get(f"/admin/amazon/stores/{store_id}/delete").get_data(as_text=True)
    assert "silinsin mi?" in confirm
    assert stores(app)  # a GET deletes nothing
    admin.post(f"/admin/amazon/stores/{store_id}/delete", data={"csrf_token": csrf_from(confirm)})
    assert stores(app) == []
    assert "mağazası ve yetkilendirmesi silindi" in admin.get("/admin/amazon/").get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app, admin):
    response = admin.post("/admin/amazon/stores/new", data=GOOD)
    assert response.status_code == 400
    assert "güvenlik doğrulaması" in response.get_data(as_text=True)
    assert stores(app) == []


def test_unknown_store_is_a_turkish_404(admin):
    response = admin.get("/admin/amazon/stores/999")
    assert response.status_code == 404
    assert "Bu Amazon mağazası bulunamadı" in response.get_data(as_text=True)


def test_html_in_store_name_is_escaped(app, admin):
    post_form(admin, "/admin/amazon/stores/new", name="<script>alert('x')</script>")
    html = admin.get("/admin/amazon/").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_english_is_available(tmp_path):
    from conftest import make_app

    app = make_app(tmp_path, AMAZON_TR_LOCALE="en")
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    html = client.get("/admin/amazon/stores/new").get_data(as_text=True)
    assert "Seller ID" in html and "Satıcı Kodu" not in html


def test_a_second_store_with_the_same_seller_id_is_refused(app, admin):
    assert post_form(admin, "/admin/amazon/stores/new").status_code == 302
    # typed differently, the same code once cleaned
    again = post_form(admin, "/admin/amazon/stores/new", name="İkinci Mağaza", seller_id=" a1b2c3d4e5f6g7 ")
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert "Bu Satıcı Kodu zaten “Amazon Mağazam” mağazasında kayıtlı" in html
    assert 'value="İkinci Mağaza"' in html  # what was typed is kept
    assert len(stores(app)) == 1
    other = post_form(admin, "/admin/amazon/stores/new", name="Başka", seller_id="A9Z8Y7X6W5V4U3")
    assert other.status_code == 302
    # nor can an existing store take the code of another
    second_id = stores(app)[1].id
    edit = post_form(admin, f"/admin/amazon/stores/{second_id}", name="Başka", seller_id="A1B2C3D4E5F6G7")
    assert edit.status_code == 422 and "zaten “Amazon Mağazam” mağazasında kayıtlı" in edit.get_data(as_text=True)
    assert stores(app)[1].seller_id == "A9Z8Y7X6W5V4U3"


def test_an_authorized_store_keeps_the_seller_who_authorized_it(app, admin):
    from demo import db

    post_form(admin, "/admin/amazon/stores/new")
    store_id = stores(app)[0].id
    with app.app_context():
        store = db.session.get(Store, store_id)
        store.refresh_token_encrypted, store.selling_partner_id = "encrypted", "A1B2C3D4E5F6G7"
        db.session.commit()
    response = post_form(admin, f"/admin/amazon/stores/{store_id}", seller_id="A9Z8Y7X6W5V4U3")
    assert response.status_code == 422
    assert "A1B2C3D4E5F6G7 Amazon satıcısı tarafından yetkilendirildi" in response.get_data(as_text=True)
    assert stores(app)[0].seller_id == "A1B2C3D4E5F6G7"
    # other changes of the same store still save
    assert post_form(admin, f"/admin/amazon/stores/{store_id}", name="Yeni Ad").status_code == 302


def test_store_pages_speak_turkish_in_every_authorization_and_test_state(app, admin):
    """The store list, each store's page and the scheduler box: no raw code, English word or ISO time,
    whatever the authorization's state and whatever the last API test said (issue 17 §1)."""
    import json
    from datetime import timedelta

    from demo import db
    from flask_amazon_tr.models import SyncRun
    from test_admin_turkish import problems

    now = app.extensions["amazon_tr"].clock.now()
    states = {
        "Yetkisiz": {},
        "Yetkili": {"authorized_at": now - timedelta(days=10), "authorization_expires_at": now + timedelta(days=300)},
        "Yakında": {"authorized_at": now - timedelta(days=340), "authorization_expires_at": now + timedelta(days=5)},
        "Geçmiş": {"authorized_at": now - timedelta(days=370), "authorization_expires_at": now - timedelta(days=5)},
        "İptal": {"authorized_at": now - timedelta(days=10), "authorization_revoked_at": now - timedelta(days=1)},
        "Başkası": {"authorized_at": now - timedelta(days=10), "selling_partner_id": "A9OTHERSELLER1"},
        "Kendi": {"authorized_at": now - timedelta(days=10)},
    }
    checks = [{"key": "orders", "status": "ok", "message": "Siparişler: Amazon siparişleri okunabiliyor."},
              {"key": "listings", "status": "fail", "message": "Ürünler: uygulamanın ilanlara erişimi yok."},
              {"key": "feeds", "status": "unknown", "message": "Kontrol edilemedi: Amazon istek numarası: r-1."}]
    with app.app_context():
        ids = []
        for i, (name, fields) in enumerate(states.items()):
            store = Store(name=name, seller_id=f"A1TRSTATE{i:05d}", active=i % 2 == 0, auto_update_type="stock")
            if fields:
                store.refresh_token_encrypted = app.extensions["amazon_tr"].cipher.encrypt("Atzr|test")
                store.selling_partner_id = fields.pop("selling_partner_id", store.seller_id)
                for key, value in fields.items():
                    setattr(store, key, value)
                store.last_test_at = now
                store.last_test_ok = i % 2 == 1
                store.last_test_message = "Bağlantı başarılı." if store.last_test_ok else "Amazon isteği reddetti."
                store.last_test_details = json.dumps({
                    "ok": store.last_test_ok, "reason": "ok" if store.last_test_ok else "invalid",
                    "message": store.last_test_message, "store_name": "Mağaza", "retry_after": None,
                    "checks": checks if store.last_test_ok else []}, ensure_ascii=False)
            db.session.add(store)
            db.session.flush()
            ids.append(store.id)
            for status in ("done", "failed", "running", "skipped"):
                db.session.add(SyncRun(store_id=store.id, kind="orders", trigger="scheduler", status=status,
                                       started_at=now, finished_at=None if status == "running" else now,
                                       error="Amazon isteği reddetti." if status == "failed" else None))
        db.session.commit()
    data = set(states) | {"Mağaza"}
    found = {}
    for url in ["/admin/amazon/", "/admin/amazon/scheduler", "/admin/amazon/stores/new"] + \
            [f"/admin/amazon/stores/{store_id}" for store_id in ids]:
        response = admin.get(url)
        assert response.status_code == 200, url
        bad = problems(response.get_data(as_text=True), data)
        if bad:
            found[url] = bad
    assert not found, found
