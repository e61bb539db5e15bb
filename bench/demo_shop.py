"""The demo shop the benchmarks run, on SQLite in a temporary folder, against a local sandbox."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import Order, Product, create_app, db, seed_products  # noqa: F401,E402  (re-exported to the benches)

#: What ``flask --app …`` and gunicorn serve.
WSGI_APP = "wsgi:app"


def shop_app(tmp: Path, sandbox_url: str, clock):
    """The demo shop on a fresh SQLite database in ``tmp``, the plugin's tables migrated, on ``clock``."""
    from flask_amazon_tr import migrate

    app = create_app({
        "INSTANCE_PATH": str(tmp / "instance"), "TESTING": True, "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'shop.sqlite'}",
        "AMAZON_TR_SANDBOX": "local", "AMAZON_TR_LOCAL_SANDBOX_URL": sandbox_url, "DEMO_MOUNT_SANDBOX": False,
    })
    app.extensions["amazon_tr"].clock = clock
    with app.app_context():
        db.create_all()
        migrate.upgrade(db.engine)
    return app

