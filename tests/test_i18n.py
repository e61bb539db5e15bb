"""Every message in code and templates has its Turkish text; the catalog is read from the .po itself."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_message_has_turkish_text():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_compiled_catalog_is_shipped_or_needed():
    assert not list((ROOT / "plugin" / "translations").rglob("*.mo"))


def test_turkish_and_english_from_the_same_ids(app):
    from flask_amazon_tr.i18n import gettext

    with app.app_context():
        assert gettext("Seller ID") == "Satıcı Kodu"
        app.config["AMAZON_TR_LOCALE"] = "en"
        assert gettext("Seller ID") == "Seller ID"
