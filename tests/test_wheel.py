"""A wheel built from the repository carries everything and serves an admin page from a venv elsewhere."""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HOST = textwrap.dedent('''
    import sys, tempfile, pathlib
    import flask_amazon_tr
    assert "site-packages" in flask_amazon_tr.__file__, flask_amazon_tr.__file__
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy
    from flask_amazon_tr import AmazonTR, migrate
    from flask_amazon_tr.resources import migrations_dir, templates_dir, static_dir

    for folder in (migrations_dir(), templates_dir(), static_dir()):
        assert "site-packages" in str(folder), folder

    class Shop:
        def iter_products(self, skus=None): return iter(())
        def upsert_order(self, order): return order.number
        def cancel_order(self, number): pass
        def subscribe_stock_changes(self, listener): pass

    tmp = pathlib.Path(tempfile.mkdtemp())
    app = Flask("wheel_host")
    app.config.update(SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'w.sqlite'}")
    db = SQLAlchemy(app)
    AmazonTR(app, db=db, shop=Shop(), admin_guard=lambda: True)
    with app.app_context():
        migrate.upgrade(db.engine)
    client = app.test_client()
    html = client.get("/admin/amazon/stores/new").get_data(as_text=True)
    assert "Mağaza Tanımı" in html and "Satıcı Kodu" in html, html[:500]
    js = client.get("/amazon-tr/static/amazon_tr/htmx.min.js")
    assert js.status_code == 200 and b"htmx" in js.data
    assert client.get("/amazon-tr/static/amazon_tr/amazon_tr.css").status_code == 200
    assert client.get("/amazon-tr/static/amazon_tr/amazon-logo.svg").status_code == 200
    # The runtime never loads the local sandbox (the `sandbox` extra) or its jsonschema.
    loaded = [name for name in sys.modules if name.startswith("flask_amazon_tr.sandbox") or name == "jsonschema"]
    assert not loaded, loaded
    print("WHEEL-OK")
''')


@pytest.mark.slow
def test_wheel_installs_and_serves_admin_page(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".venv", ".git", "instance", "__pycache__", "*.egg-info", "build", "dist", ".pytest_cache", ".hypothesis"))
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(src)], check=True, capture_output=True)
    [wheel] = out.glob("flask_amazon_tr-*.whl")

    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    for required in ("flask_amazon_tr/_data/templates/amazon_tr/stores/form.html", "flask_amazon_tr/_data/static/amazon_tr/htmx.min.js",
                     "flask_amazon_tr/_data/migrations/env.py", "flask_amazon_tr/_data/migrations/versions/0001_stores.py",
                     "flask_amazon_tr/translations/tr/LC_MESSAGES/amazon_tr.po", "flask_amazon_tr/_data/static/amazon_tr/amazon-logo.svg"):
        assert required in names, required
    assert not [n for n in names if n.endswith(".mo")]
    # Every module of the checkout's plugin/ ships (setup.cfg names each subpackage).
    for module in (ROOT / "plugin").rglob("*.py"):
        packaged = "flask_amazon_tr/" + module.relative_to(ROOT / "plugin").as_posix()
        assert packaged in names, packaged

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # The dependencies come from this interpreter's site-packages (as a plain path, so the
    # editable install of the checkout is not picked up); the plugin only from the wheel.
    target = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    (target / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    result = subprocess.run([str(python), "-c", HOST], cwd=tmp_path, capture_output=True, text=True)
    assert "WHEEL-OK" in result.stdout, result.stderr[-3000:]
