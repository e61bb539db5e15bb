"""The demo shop the benchmarks run: from the ``demo`` package where it lives, else from ``wsgi``."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from demo import Order, Product, create_app, db, seed_products  # noqa: F401,E402  (re-exported to the benches)

#: What ``flask --app …`` and gunicorn serve.
WSGI_APP = "wsgi:app"
