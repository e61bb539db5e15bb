"""Shared fixtures: the demo shop as the host app, real SQLite and PostgreSQL, Chromium."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytest_plugins = ["sandbox_fixtures"]

ROOT = Path(__file__).resolve().parents[1]
IN_CI = bool(os.environ.get("CI"))


def need(condition: bool, why: str):
    """Skip on a developer's machine, fail in CI: CI must run every test."""
    if condition:
        return
    if IN_CI:
        pytest.fail(why)
    pytest.skip(why)


# --- The host app ------------------------------------------------------------------

def make_app(tmp_path: Path, **config):
    from flask_amazon_tr import migrate
    from demo import create_app, db, seed_products

    base = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "AMAZON_TR_SANDBOX": "off",
        "DEMO_MOUNT_SANDBOX": False,
    }
    base.update(config)
    app = create_app(base)
    with app.app_context():
        db.create_all()
        migrate.upgrade(db.engine)
        seed_products()
    return app


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    from demo import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def admin(client):
    """A test client signed in as the demo shop's administrator."""
    with client.session_transaction() as sess:
        sess["demo_admin"] = True
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="amazon-tr-csrf" content="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


# --- PostgreSQL: a throwaway cluster for the whole run ---------------------------------

def _pg_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_server():
    """Yields a SQLAlchemy URL prefix (without database name) of a private cluster."""
    url = os.environ.get("AMAZON_TR_TEST_PG_URL")
    if url:
        yield url.rstrip("/")
        return
    bindir = _pg_bin()
    need(bindir is not None, "PostgreSQL is not installed (apt-get install postgresql); scripts/test.sh installs it")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        need(False, "psycopg is not installed (pip install -e '.[test]')")
    tmp = Path(tempfile.mkdtemp(prefix="amazon-tr-pg-"))
    data = tmp / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        shutil.chown(tmp, "postgres")
        tmp.chmod(0o700)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(run_as + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                             "--locale=C.UTF-8"], check=True, capture_output=True)
    subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "start", "-o",
                             f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database on the throwaway cluster."""
    import sqlalchemy as sa

    name = f"t_{os.getpid()}_{time.monotonic_ns()}"
    admin_engine = sa.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield f"{pg_server}/{name}"
    with admin_engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin_engine.dispose()


# --- A live server and Chromium --------------------------------------------------------

class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()


@pytest.fixture
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


CHROMIUM = os.environ.get("AMAZON_TR_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"Chromium is not at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="tr-TR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
