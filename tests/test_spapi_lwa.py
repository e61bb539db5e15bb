"""Login with Amazon: consent code exchange, access token cache, refusals."""
import requests
import pytest

from flask_amazon_tr.clock import SimulatedClock
from flask_amazon_tr.spapi import AuthorizationRevokedError, InvalidGrantError, LWAClient, LWAError, NetworkError
from spapi_helpers import fake_session, reply, token_reply

TOKEN_URL = "https://api.amazon.com/auth/o2/token"


def make_lwa(handler, clock=None):
    clock = clock or SimulatedClock(start=1_000_000.0)
    session, transport = fake_session(handler)
    lwa = LWAClient(token_url=TOKEN_URL, client_id="amzn1.application-oa2-client.abc",
                    client_secret="s3cr3t-value", session=session, clock=clock)
    return lwa, transport, clock


def test_exchange_code_posts_spapi_code_as_form_and_returns_refresh_token():
    lwa, transport, _ = make_lwa(lambda s: token_reply("Atza|first", refresh_token="Atzr|refresh"))
    token = lwa.exchange_code("ANdNAVhyhqirUelHGEHA", redirect_uri="https://shop.example/amazon/callback")

    assert token["refresh_token"] == "Atzr|refresh"
    [sent] = transport.sent
    assert sent.method == "POST" and sent.url == TOKEN_URL
    assert sent.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert sent.form() == {
        "grant_type": "authorization_code",
        "code": "ANdNAVhyhqirUelHGEHA",
        "redirect_uri": "https://shop.example/amazon/callback",
        "client_id": "amzn1.application-oa2-client.abc",
        "client_secret": "s3cr3t-value",
    }
    # The exchange already yields an access token: the first API call reuses it.
    assert lwa.access_token("Atzr|refresh") == "Atza|first"
    assert len(transport.sent) == 1


def test_access_token_is_cached_until_60_seconds_before_expiry():
    issued = []

    def handler(sent):
        issued.append(sent.form())
        return token_reply(f"Atza|{len(issued)}", expires_in=3600)

    lwa, transport, clock = make_lwa(handler)
    assert lwa.access_token("Atzr|r") == "Atza|1"
    assert issued[0]["grant_type"] == "refresh_token"
    assert issued[0]["refresh_token"] == "Atzr|r"
    assert issued[0]["client_secret"] == "s3cr3t-value"

    clock.advance(3539)
    assert lwa.access_token("Atzr|r") == "Atza|1"
    assert len(issued) == 1
    clock.advance(1)  # 60 s before Amazon's expiry
    assert lwa.access_token("Atzr|r") == "Atza|2"
    assert len(issued) == 2


def test_cache_is_per_refresh_token_and_forget_drops_one_entry():
    lwa, transport, _ = make_lwa(lambda s: token_reply("Atza|for-" + s.form()["refresh_token"]))
    assert lwa.access_token("A") == "Atza|for-A"
    assert lwa.access_token("B") == "Atza|for-B"
    lwa.forget("A")
    lwa.access_token("A")
    lwa.access_token("B")
    assert [s.form()["refresh_token"] for s in transport.sent] == ["A", "B", "A"]


def test_invalid_grant_on_refresh_means_authorization_revoked():
    lwa, _, _ = make_lwa(lambda s: reply(400, {"error": "invalid_grant",
                                                "error_description": "The request has an invalid grant parameter : refresh_token"}))
    with pytest.raises(AuthorizationRevokedError) as info:
        lwa.access_token("Atzr|gone")
    assert info.value.status == 400
    assert info.value.error == "invalid_grant"
    assert "invalid grant parameter" in str(info.value)
    assert "Atzr|gone" not in str(info.value) and "s3cr3t" not in str(info.value)


def test_invalid_grant_on_code_exchange_is_invalid_grant_error():
    lwa, _, _ = make_lwa(lambda s: reply(400, {"error": "invalid_grant",
                                                "error_description": "Authorization code expired"}))
    with pytest.raises(InvalidGrantError) as info:
        lwa.exchange_code("used-code")
    assert not isinstance(info.value, AuthorizationRevokedError)
    assert "Authorization code expired" in str(info.value)


def test_other_refusal_is_lwa_error_with_error_and_description():
    lwa, _, _ = make_lwa(lambda s: reply(400, {"error": "unauthorized_client",
                                                "error_description": "Not authorized for requested operation"}))
    with pytest.raises(LWAError) as info:
        lwa.access_token("Atzr|r")
    assert type(info.value) is LWAError
    assert info.value.error == "unauthorized_client"
    assert info.value.error_description == "Not authorized for requested operation"
    assert not info.value.retryable


def test_invalid_client_is_its_own_error_the_secret_to_rotate():
    from flask_amazon_tr.spapi.errors import InvalidClientError

    lwa, _, _ = make_lwa(lambda s: reply(401, {"error": "invalid_client",
                                                "error_description": "Client authentication failed"}))
    with pytest.raises(InvalidClientError) as info:
        lwa.access_token("Atzr|r")
    assert isinstance(info.value, LWAError) and not isinstance(info.value, AuthorizationRevokedError)
    assert info.value.status == 401 and info.value.error_description == "Client authentication failed"
    assert not info.value.retryable


def test_token_endpoint_5xx_is_retryable_lwa_error():
    lwa, _, _ = make_lwa(lambda s: reply(503, "<html>busy</html>"))
    with pytest.raises(LWAError) as info:
        lwa.access_token("Atzr|r")
    assert info.value.status == 503 and info.value.retryable


@pytest.mark.parametrize("exc", [requests.ConnectTimeout(), requests.ReadTimeout(), requests.ConnectionError()])
def test_network_failure_is_network_error(exc):
    lwa, _, _ = make_lwa(lambda s: exc)
    with pytest.raises(NetworkError):
        lwa.access_token("Atzr|r")


def test_failed_refresh_is_not_cached():
    answers = [reply(503, ""), token_reply("Atza|ok")]
    lwa, transport, _ = make_lwa(lambda s: answers.pop(0))
    with pytest.raises(LWAError):
        lwa.access_token("Atzr|r")
    assert lwa.access_token("Atzr|r") == "Atza|ok"


def test_timeouts_are_passed_to_the_transport():
    lwa, transport, _ = make_lwa(lambda s: token_reply())
    lwa.access_token("Atzr|r")
    assert transport.sent[0].timeout == (5, 30)
