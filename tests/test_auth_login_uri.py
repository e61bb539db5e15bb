"""Re-authorizing from Seller Central (Manage Your Apps → Re-authorize) through the application's Log-in URI."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import pytest
import requests

from conftest import csrf_from
from flask_amazon_tr.sandbox.seed import NON_TR_SELLER_ID, SANDBOX_APP_ID, TR_SELLER_ID
from test_authorization import add_store, admin, amazon_app, load  # noqa: F401

LOGIN_URI = "http://localhost/admin/amazon/oauth/login"


def manage_your_apps(sandbox, seller_id=TR_SELLER_ID) -> str:
    """The seller presses Re-authorize in the sandbox's Manage Your Apps: where Amazon sends the browser."""
    r = requests.post(f"{sandbox.url}/apps/manage", data={
        "application_id": SANDBOX_APP_ID, "seller_id": seller_id, "login_uri": LOGIN_URI, "action": "reauthorize"},
        allow_redirects=False, timeout=10)
    assert r.status_code == 302 and r.headers["Location"].startswith(LOGIN_URI + "?")
    return r.headers["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + parts.query


def continue_to_amazon(admin, page: str, **changes):
    form = {name: unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', page)}
    form.update(changes, csrf_token=csrf_from(page))
    return admin.post("/admin/amazon/oauth/login", data=form)


def test_a_seller_who_reauthorizes_on_amazon_lands_in_the_plugin_and_finishes(amazon_app, admin, sandbox):
    store_id = add_store(amazon_app)
    page_response = admin.get(local(manage_your_apps(sandbox)))
    page = page_response.get_data(as_text=True)
    assert page_response.status_code == 200 and "Anadolu Çarşı Mağazası" in page and TR_SELLER_ID in page
    assert page_response.headers["Referrer-Policy"] == "no-referrer"
    to_amazon = continue_to_amazon(admin, page)
    assert to_amazon.status_code == 302
    callback_uri = to_amazon.headers["Location"]
    query = dict(parse_qsl(urlsplit(callback_uri).query))
    assert callback_uri.startswith(f"{sandbox.url}/apps/authorize/confirm/{SANDBOX_APP_ID}?")
    assert query["redirect_uri"] == "http://localhost/admin/amazon/oauth/callback"
    assert len(query["state"]) >= 40 and query["amazon_state"]
    back = requests.get(callback_uri, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    done = admin.get(local(back.headers["Location"]))
    assert done.headers["Location"].endswith(f"/admin/amazon/stores/{store_id}")
    assert "Amazon ile yetkilendirildi" in admin.get(done.headers["Location"]).get_data(as_text=True)
    store = load(amazon_app, store_id)
    assert store.selling_partner_id == TR_SELLER_ID and store.authorized_via == "oauth"
    assert timedelta(days=364) < store.authorization_expires_at - store.authorized_at <= timedelta(days=365)


def test_the_log_in_uri_is_behind_the_admin_login(amazon_app, sandbox):
    add_store(amazon_app)
    location = manage_your_apps(sandbox)
    response = amazon_app.test_client().get(local(location))
    assert response.status_code == 302
    target = dict(parse_qsl(urlsplit(response.headers["Location"]).query))["next"]
    assert target == local(location)  # after signing in the admin comes back with Amazon's parameters


def test_a_seller_without_a_store_is_told_to_add_it_first(amazon_app, admin, sandbox):
    add_store(amazon_app)
    page = admin.get(local(manage_your_apps(sandbox, NON_TR_SELLER_ID))).get_data(as_text=True)
    assert f"Satıcı Kodu {NON_TR_SELLER_ID} olan bir mağaza yok" in page
    assert 'name="amazon_state"' not in page


def test_a_forged_seller_in_the_form_meets_amazons_answer_and_is_refused(amazon_app, admin, sandbox):
    tr_store = add_store(amazon_app)
    add_store(amazon_app, seller_id=NON_TR_SELLER_ID, name="Almanya")
    # Amazon's amazon_state is for the German seller; the form is changed to name the Turkish store
    page = admin.get(local(manage_your_apps(sandbox, NON_TR_SELLER_ID))).get_data(as_text=True)
    to_amazon = continue_to_amazon(admin, page, selling_partner_id=TR_SELLER_ID,
                                   store_id=str(tr_store))
    back = requests.get(to_amazon.headers["Location"], allow_redirects=False, timeout=10)
    done = admin.get(local(back.headers["Location"]))
    html = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert f"Yetki veren satıcı ({NON_TR_SELLER_ID}) bu mağazanın Satıcı Kodu değil" in html
    assert load(amazon_app, tr_store).refresh_token_encrypted is None


@pytest.mark.parametrize("callback", [
    "https://evil.example/apps/authorize/confirm/amzn1.sellerapps.app.x",
    "https://sellercentral.amazon.com.tr.evil.example/apps/authorize/confirm/x",
    "http://sellercentral.amazon.com.tr/apps/authorize/confirm/x",
    "https://sellercentral.amazon.com.tr/apps/authorize/consent",
    "https://sellercentral.amazon.com.tr:8443/apps/authorize/confirm/x",
    "https://user@sellercentral.amazon.com.tr/apps/authorize/confirm/x",
    "//evil.example/apps/authorize/confirm/x",
    "javascript:alert(1)//apps/authorize/confirm/",
    "https://sellercentral.amazon.com.tr\t.evil.example/apps/authorize/confirm/x",
    "",
])
def test_a_callback_that_is_not_amazons_is_never_followed(amazon_app, admin, callback):
    add_store(amazon_app)
    query = urlencode({"amazon_callback_uri": callback, "amazon_state": "st", "selling_partner_id": TR_SELLER_ID})
    response = admin.get(f"/admin/amazon/oauth/login?{query}")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/amazon/"
    html = unescape(admin.get(response.headers["Location"]).get_data(as_text=True))
    assert "Amazon Seller Central'dan gelmedi" in html and 'name="amazon_state"' not in html
    # nor through the form, whatever the page said
    page = admin.get("/admin/amazon/stores/1").get_data(as_text=True)
    posted = admin.post("/admin/amazon/oauth/login", data={
        "csrf_token": csrf_from(page), "amazon_callback_uri": callback, "amazon_state": "st",
        "selling_partner_id": TR_SELLER_ID, "store_id": "1"})
    assert posted.status_code == 302 and posted.headers["Location"] == "/admin/amazon/"


@pytest.mark.parametrize("callback", [
    "https://sellercentral.amazon.com.tr/apps/authorize/confirm/amzn1.sellerapps.app.2eca283f",
    "https://sellercentral-europe.amazon.com/apps/authorize/confirm/amzn1.sellerapps.app.2eca283f",
    "https://amazon.com/apps/authorize/confirm/amzn1.sellerapps.app.2eca283f",  # Amazon's own example
])
def test_seller_central_callbacks_are_followed_with_our_state(amazon_app, admin, callback):
    add_store(amazon_app)
    query = urlencode({"amazon_callback_uri": callback, "amazon_state": "amazon-state-1",
                       "selling_partner_id": TR_SELLER_ID, "version": "beta"})
    response = admin.get(f"/admin/amazon/oauth/login?{query}")
    page = response.get_data(as_text=True)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(callback))
    # the confirm form is answered by a redirect there: the page's form-action must allow it
    assert origin in response.headers["Content-Security-Policy"].split("form-action")[1].split(";")[0]
    to_amazon = continue_to_amazon(admin, page)
    location = to_amazon.headers["Location"]
    assert location.startswith(callback + "?")
    query = dict(parse_qsl(urlsplit(location).query))
    assert query["amazon_state"] == "amazon-state-1" and query["version"] == "beta"
    assert query["redirect_uri"] == "http://localhost/admin/amazon/oauth/callback" and query["state"]


@pytest.mark.parametrize("params,expected", [
    ({"amazon_state": ""}, "amazon_state yok"),
    ({"amazon_state": "x" * 3000}, "amazon_state yok"),
    ({"selling_partner_id": "not-a-seller"}, "geçerli bir satıcı kimliği yok"),
])
def test_an_incomplete_request_from_amazon_is_explained(amazon_app, admin, params, expected):
    query = {"amazon_callback_uri": "https://sellercentral.amazon.com.tr/apps/authorize/confirm/x",
             "amazon_state": "st", "selling_partner_id": TR_SELLER_ID} | params
    response = admin.get("/admin/amazon/oauth/login?" + urlencode(query, quote_via=quote))
    assert response.status_code == 302 and response.headers["Referrer-Policy"] == "no-referrer"
    assert expected in admin.get(response.headers["Location"]).get_data(as_text=True)


AMAZON_HOSTS = ("sellercentral.amazon.com.tr", "sellercentral-europe.amazon.com", "amazon.com")


def _fuzz_settings():
    import os

    from hypothesis import HealthCheck, settings

    return settings(max_examples=int(os.environ.get("AMAZON_TR_FUZZ_CASES", "300")), deadline=None,
                    derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _callbacks():
    from hypothesis import strategies as st

    hosts = st.sampled_from(AMAZON_HOSTS + ("evil.example", "sellercentral.amazon.com.tr.evil.example",
                                            "sellercentral.amazon.com.tr:8443", "u@amazon.com", "amazon.com\\@evil",
                                            "AMAZON.COM", "amazon.com.", "127.0.0.1", ""))
    return st.one_of(
        st.builds(lambda scheme, host, path: f"{scheme}://{host}{path}",
                  st.sampled_from(["https", "http", "HTTPS", "javascript", "//"]), hosts,
                  st.one_of(st.just("/apps/authorize/confirm/amzn1.sellerapps.app.x"), st.text(max_size=40))),
        st.text(max_size=200))


def test_the_log_in_uri_never_sends_anyone_outside_amazon(amazon_app, admin):
    from hypothesis import given
    from hypothesis import strategies as st

    add_store(amazon_app)

    @_fuzz_settings()
    @given(callback=_callbacks(), amazon_state=st.text(max_size=60),
           partner=st.one_of(st.just(TR_SELLER_ID), st.text(max_size=20)))
    def check(callback, amazon_state, partner):
        query = {"amazon_callback_uri": callback, "amazon_state": amazon_state, "selling_partner_id": partner}
        response = admin.get("/admin/amazon/oauth/login", query_string=query)
        assert response.status_code in (200, 302, 400)
        if response.status_code == 302:
            assert response.headers["Location"] == "/admin/amazon/"
            return
        if response.status_code == 400:  # a NUL character: refused before the view
            return
        page = response.get_data(as_text=True)
        token = csrf_from(page)
        posted = admin.post("/admin/amazon/oauth/login", data=dict(query, csrf_token=token, store_id="1"))
        target = urlsplit(posted.headers["Location"])
        assert posted.status_code == 302
        assert target.scheme == "https" and target.hostname in AMAZON_HOSTS and target.port is None
        assert target.path.startswith("/apps/authorize/confirm/") and not target.username

    check()
