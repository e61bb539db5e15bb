"""The demo shop lives in demo/ and wsgi.py only builds it; the plugin's wheel carries none of it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_WSGI = """
import json, threading, time
start = time.perf_counter()
import wsgi
print(json.dumps({"seconds": time.perf_counter() - start, "threads": [t.name for t in threading.enumerate()],
                  "app": wsgi.app.import_name, "names": sorted(n for n in vars(wsgi) if not n.startswith("__"))}))
"""


def test_wsgi_only_builds_the_demo_app(tmp_path):
    env = dict(os.environ, DEMO_INSTANCE_PATH=str(tmp_path / "instance"))
    env.pop("FLASK_AMAZON_TR_SCHEDULER", None)
    out = subprocess.run([sys.executable, "-c", IMPORT_WSGI], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=60)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["app"] == "demo"
    assert result["names"] == ["app", "create_app"]
    # No scheduler, no server, no seeding: building the app starts no thread.
    assert result["threads"] == ["MainThread"]
    assert not (tmp_path / "instance" / "demo.sqlite").exists()
    assert result["seconds"] < 10, result
    assert len((ROOT / "wsgi.py").read_text().splitlines()) <= 5


def test_demo_templates_are_files_the_app_finds(app):
    names = sorted(p.name for p in (ROOT / "demo" / "templates").glob("*.html"))
    assert names == ["admin_layout.html", "admin_orders.html", "admin_products.html", "login.html", "storefront.html"]
    for name in names:
        assert app.jinja_env.get_template(f"demo/{name}") is not None
    assert app.config["AMAZON_TR_ADMIN_LAYOUT"] == "demo/admin_layout.html"


def test_storefront_and_shop_admin_pages_render(admin):
    storefront = admin.get("/").get_data(as_text=True)
    assert "Türk Kahvesi 250 g" in storefront and "Yönetim paneli" in storefront
    assert "Türk Kahvesi 250 g" in admin.get("/admin/products").get_data(as_text=True)
    assert "Henüz sipariş yok." in admin.get("/admin/orders").get_data(as_text=True)
    assert admin.get("/admin/logout").headers["Location"] == "/"
    assert admin.get("/admin/orders").headers["Location"] == "/admin/login?next=/admin/orders"


def test_no_demo_module_over_400_lines():
    for path in (ROOT / "demo").rglob("*"):
        if path.suffix in (".py", ".html"):
            assert len(path.read_text().splitlines()) <= 400, path


def test_the_plugin_wheel_ships_no_demo_package():
    """setup.cfg names the wheel's packages; the demo (and wsgi.py) must never become one of them."""
    from setuptools.config.setupcfg import read_configuration

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = read_configuration(str(ROOT / "setup.cfg"))["options"]
    packages = options["packages"]
    assert packages and all(p == "flask_amazon_tr" or p.startswith("flask_amazon_tr.") for p in packages)
    assert not any(Path(folder).parts[:1] == ("demo",) for folder in options.get("package_dir", {}).values())
    assert "wsgi" not in (options.get("py_modules") or [])
