"""Every kind of failure, for every subject, reads as Turkish and keeps Amazon's answer and request id."""
from __future__ import annotations

import pytest

from flask_amazon_tr.crypto import DecryptionFailed
from flask_amazon_tr.i18n import translations_for
from flask_amazon_tr.services import messages
from flask_amazon_tr.services.amazon import NotAuthorized, NotConfigured
from flask_amazon_tr.spapi import (
    AuthorizationRevokedError,
    ForbiddenError,
    InvalidInputError,
    LWAError,
    NetworkError,
    NotFoundError,
    ServerError,
    SPAPIError,
    ThrottledError,
)

AMAZON = [{"code": "InvalidInput", "message": "Invalid Input", "details": ""}]

CASES = [
    (AuthorizationRevokedError("refresh refused", status=400, error="invalid_grant"), "revoked"),
    (NotAuthorized(), "revoked"),
    (LWAError("token endpoint", status=400, error="invalid_client"), "lwa"),
    (ThrottledError("slow down", status=429, request_id="r-429"), "throttled"),
    (NetworkError("read timed out"), "timeout"),
    (NetworkError("connection refused"), "network"),
    (ServerError("boom", status=503), "unavailable"),
    (ForbiddenError("no role", status=403, errors=[{"code": "Unauthorized", "message": "Access denied"}]), "denied"),
    (NotFoundError("none", status=404), "not_found"),
    (InvalidInputError("bad", status=400, errors=AMAZON, request_id="req-1"), "invalid"),
    (NotConfigured("AMAZON_TR_APP_ID"), "not_configured"),
    (DecryptionFailed("old key"), "no_key"),
    (SPAPIError("odd", status=418), "error"),
    (KeyError("bug"), "unexpected"),
]


@pytest.mark.parametrize("exc, kind", CASES, ids=[kind for _, kind in CASES])
@pytest.mark.parametrize("subject", messages.SUBJECTS)
def test_each_failure_has_a_turkish_sentence(app, exc, kind, subject):
    assert messages.kind_of(exc) == kind
    turkish = translations_for("tr")
    with app.test_request_context():
        head = messages.headline(exc, subject)
        # Translated: the catalog has a Turkish text for the message id.
        assert turkish.ugettext(head._message) != head._message, head._message
        text = messages.explain(exc, subject)
    # Amazon's English never reaches shop staff: no message, code or HTTP status of Amazon's in the text.
    for english in ("Invalid Input", "Access denied", "InvalidInput", "HTTP ", "refused", "slow down", "boom"):
        assert english not in text, text
    assert "Amazon'un mesajı" not in text
    if isinstance(exc, SPAPIError) and exc.request_id:
        assert f"Amazon istek numarası: {exc.request_id}." in text


def test_amazons_message_is_shown_only_when_amazon_wrote_it_in_turkish(app):
    turkish = InvalidInputError("bad", status=400, request_id="req-tr", errors=[
        {"code": "InvalidInput", "message": "Fiyat geçersiz: sıfırdan büyük olmalı"}])
    english = InvalidInputError("bad", status=400, request_id="req-en", errors=[
        {"code": "InvalidInput", "message": "Price must be greater than zero"}])
    with app.test_request_context():
        said = messages.explain(turkish, "products")
        unsaid = messages.explain(english, "products")
    assert said == "Amazon isteği reddetti. Amazon'un mesajı: Fiyat geçersiz: sıfırdan büyük olmalı " \
                   "Amazon istek numarası: req-tr."
    assert unsaid == "Amazon isteği reddetti. Amazon istek numarası: req-en."


def test_login_with_amazon_errors_have_no_english_tail(app):
    lwa = LWAError("token request refused", status=400, error="invalid_request",
                   error_description="The request has an invalid parameter", request_id="lwa-1")
    with app.test_request_context():
        text = messages.explain(lwa, "connection")
    assert "invalid" not in text.lower() and "parameter" not in text and "lwa-1" in text


def test_an_unknown_subject_is_a_programming_error(app):
    with app.test_request_context(), pytest.raises(ValueError):
        messages.headline(ServerError("x"), "refunds")
