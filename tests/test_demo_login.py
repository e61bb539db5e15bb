"""The demo's admin login: it needs its CSRF token and sends the admin back only to a page of this site."""
from __future__ import annotations

import pytest

from conftest import csrf_from

DEFAULT = "/admin/amazon/"


def login_page(client, query: str = "") -> str:
    page = client.get("/admin/login" + query)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def signed_in(client) -> bool:
    return client.get("/admin/products").status_code == 200


def test_login_with_its_token_signs_in_and_returns_to_the_page_asked_for(client):
    html = login_page(client, "?next=/admin/amazon/stores/1?tab=orders")
    assert 'name="next" value="/admin/amazon/stores/1?tab=orders"' in html
    response = client.post("/admin/login", data={"csrf_token": csrf_from(html),
                                                 "next": "/admin/amazon/stores/1?tab=orders"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/amazon/stores/1?tab=orders"
    assert signed_in(client)


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_login_without_a_valid_token_is_refused(client, token):
    login_page(client)  # the session holds a real token; the post does not carry it
    data = {"next": "/admin/amazon/"} if token is None else {"csrf_token": token, "next": "/admin/amazon/"}
    response = client.post("/admin/login", data=data)
    assert response.status_code == 400
    assert "Form süresi doldu" in response.get_data(as_text=True)
    assert not signed_in(client)


def test_another_sessions_token_does_not_sign_in(app):
    other, victim = app.test_client(), app.test_client()
    token = csrf_from(login_page(other))
    login_page(victim)
    assert victim.post("/admin/login", data={"csrf_token": token}).status_code == 400
    assert not signed_in(victim)


# Each of these is another site to a browser: tabs and newlines are dropped from URLs and a
# backslash reads as a slash, so the first, second and fourth all become //evil.com.
OFFSITE = ["/\t/evil.com", "//evil.com", "https://evil.com", "/\\evil.com", "/\n/evil.com", "///evil.com",
           "\\\\evil.com", "http:/evil.com", "javascript:alert(1)", " //evil.com", "/\r\n/evil.com"]


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_next_falls_back_to_the_default_page(client, target):
    html = login_page(client)
    page = client.get("/admin/login", query_string={"next": target}).get_data(as_text=True)
    assert f'name="next" value="{DEFAULT}"' in page
    response = client.post("/admin/login", data={"csrf_token": csrf_from(html), "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == DEFAULT


@pytest.mark.parametrize("raw_query", ["next=/%09/evil.com", "next=//evil.com", "next=https://evil.com",
                                       "next=/%5Cevil.com", "next=/\\evil.com"])
def test_offsite_next_in_the_login_url_as_typed(client, raw_query):
    """The same addresses as an attacker's link would carry them, percent-encoding and all."""
    html = login_page(client, "?" + raw_query)
    assert f'name="next" value="{DEFAULT}"' in html
    # The form posts back to the login URL itself, so its query is what counts here.
    response = client.post("/admin/login?" + raw_query, data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert response.headers["Location"] == DEFAULT


def test_guarded_pages_send_a_signed_out_visitor_to_login_and_back(client):
    response = client.get("/admin/amazon/")
    assert response.status_code == 302
    login_url = response.headers["Location"]
    assert login_url.startswith("/admin/login?next=")
    html = login_page(client, login_url[len("/admin/login"):])
    back = client.post(login_url, data={"csrf_token": csrf_from(html)})
    assert back.headers["Location"].startswith("/admin/amazon/")
    assert client.get(back.headers["Location"]).status_code == 200
