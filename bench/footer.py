"""Storefront cost of the Amazon footer: render time with and without it, and queries per request.

    .venv/bin/python bench/footer.py [--requests 3000]

Targets: overhead under 2% of the storefront's render time; 0 plugin queries per request after warm-up.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from markupsafe import Markup
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import counted, measured  # noqa: E402


def build_app(tmp: Path):
    from flask_amazon_tr import migrate
    from flask_amazon_tr.models import Store
    from demo import create_app, db, seed_products

    app = create_app({"INSTANCE_PATH": str(tmp), "SECRET_KEY": "bench", "AMAZON_TR_SANDBOX": "off",
                      "DEMO_MOUNT_SANDBOX": False})
    with app.app_context():
        db.create_all()
        migrate.upgrade(db.engine)
        seed_products()
        db.session.add(Store(name="Anadolu Çarşı", seller_id="A1TRDEMOSATICI", auto_update_type="all",
                             store_url="https://www.amazon.com.tr/s?me=A1TRDEMOSATICI"))
        db.session.commit()
    return app


def timed(client, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get("/")
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    args = parser.parse_args()
    from demo import db

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        client = app.test_client()
        footer = app.jinja_env.globals["amazon_tr_footer"]
        assert "amazon-tr-footer" in client.get("/").get_data(as_text=True)  # warm-up

        statements = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
        rounds = {"with": [], "without": []}
        empty = lambda: Markup("")  # noqa: E731
        # Alternate the two variants request by request so drift of the machine hits both alike.
        for _ in range(args.requests):
            app.jinja_env.globals["amazon_tr_footer"] = footer
            rounds["with"] += timed(client, 1)
            app.jinja_env.globals["amazon_tr_footer"] = empty
            rounds["without"] += timed(client, 1)
        app.jinja_env.globals["amazon_tr_footer"] = footer
        before = len(statements)
        plugin_before = sum("amazon_tr_" in s for s in statements)
        n = 200
        timed(client, n)
        plugin_queries = sum("amazon_tr_" in s for s in statements) - plugin_before

    med_with = statistics.median(rounds["with"]) * 1000
    med_without = statistics.median(rounds["without"]) * 1000
    overhead = (med_with - med_without) / med_without * 100
    counted(f"storefront requests per variant: {len(rounds['with'])}")
    measured(f"median render with footer (wall clock):    {med_with:.3f} ms")
    measured(f"median render without footer (wall clock): {med_without:.3f} ms")
    measured(f"footer overhead:                           {overhead:+.2f} % (target < 2 %)")
    counted(f"plugin queries per request after warm-up: {plugin_queries / n:.2f} (target 0)")
    counted(f"all queries per request (the demo shop's own product list included): {(len(statements) - before) / n:.2f}")


if __name__ == "__main__":
    main()
