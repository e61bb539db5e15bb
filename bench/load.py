"""Concurrent shop admins against the demo under gunicorn, while an order import runs.

    .venv/bin/python bench/load.py [--workers 4] [--users 20] [--rounds 15] [--seconds 120]
                                   [--think 2.0] [--mode both|think|closed]

Everything runs on 127.0.0.1: a local Amazon sandbox process, the demo shop under gunicorn
(gthread workers) and N admin users, each signed in, going through the store list, the store
page, the API test (an HTMX post), the products, orders and shipments pages.

Two ways to model the admins, both reported (wall clock, time.perf_counter per request):
- think: each admin waits a random think time (exponential, mean --think seconds) between
  two clicks, as people do; this is the figure the target (p95 < 50 ms, 20 admins) is about;
- closed: each admin clicks again as soon as the answer is in, the worst case.
Bounded by --rounds per admin and by --seconds per mode. Every process it starts is stopped
on the way out, the order import included. Needs gunicorn (pip install -e '.[bench]').
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from processes import Children, free_port, wait_http  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=120, help="at most this long per mode")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between clicks (s)")
    parser.add_argument("--mode", choices=("both", "think", "closed"), default="both")
    args = parser.parse_args()
    modes = ("think", "closed") if args.mode == "both" else (args.mode,)

    tmp = Path(tempfile.mkdtemp(prefix="amazon-tr-load-"))
    sandbox_port, shop_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    shop_url = f"http://127.0.0.1:{shop_port}"
    env = dict(os.environ, DEMO_INSTANCE_PATH=str(tmp), FLASK_AMAZON_TR_SANDBOX="local",
               FLASK_AMAZON_TR_LOCAL_SANDBOX_URL=sandbox_url, FLASK_DEMO_MOUNT_SANDBOX="false",
               PYTHONPATH=str(ROOT))
    children = Children()  # every process in a group of its own: gunicorn's workers are stopped too
    try:
        children.start([PY, "-c", f"from flask_amazon_tr.sandbox.server import main; main({sandbox_port})"],
                       env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([PY, "-m", "flask", "--app", "wsgi", "demo", "init"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        store_id = setup_store(env, sandbox_url)
        gunicorn = shutil.which("gunicorn", path=str(Path(PY).parent)) or "gunicorn"
        children.start([gunicorn, "-w", str(args.workers), "-k", "gthread", "--threads", "4",
                        "-b", f"127.0.0.1:{shop_port}", "--log-level", "warning", "wsgi:app"],
                       env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(sandbox_url + "/_sandbox/requests")
        wait_http(shop_url + "/")

        # stopped with the rest if it outlives the admins
        sync = children.start([PY, "-m", "flask", "--app", "wsgi", "amazon", "sync", "orders", str(store_id)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        results = {mode: run_users(shop_url, store_id, args, think=args.think if mode == "think" else 0.0)
                   for mode in modes}
        try:
            sync_rc = sync.wait(timeout=max(1.0, args.seconds))
        except subprocess.TimeoutExpired:
            sync_rc = None
    finally:
        children.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"gunicorn workers: {args.workers} (gthread x4), admin users: {args.users}, rounds per user: {args.rounds}")
    print("order import running alongside: " + ("finished" if sync_rc == 0 else
                                                 "still running, stopped" if sync_rc is None else f"exit {sync_rc}"))
    for mode, (samples, errors) in results.items():
        how = (f"think time: exponential, mean {args.think:g} s between clicks" if mode == "think"
               else "closed loop: the next click as soon as the answer is in")
        print(f"\n[measured] {args.users} admins, {how} (wall clock per request)")
        print(f"{'page':<14}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}")
        for name, values in samples.items():
            print(f"{name:<14}{len(values):>10}{pct(values, 50):>10.1f}{pct(values, 95):>10.1f}")
        total = sum(len(v) for v in samples.values())
        print(f"errors: {len(errors)} of {total + len(errors)} (target 0)")
        for error in errors[:5]:
            print("  ", error)


def setup_store(env, sandbox_url) -> int:
    """A store authorized through the sandbox's consent page and token endpoint, as Yetkilendir does."""
    code = """
import os, sys
sys.path.insert(0, os.getcwd())
from flask_amazon_tr.models import Store
from flask_amazon_tr.sandbox.seed import TR_SELLER_ID
from flask_amazon_tr.services.authorization import grant
from demo import db
from wsgi import app
sys.path.insert(0, 'tests')
from sandbox_fixtures import authorize_over_http
token = authorize_over_http(sys.argv[1])
with app.app_context():
    store = grant(Store(name='Anadolu Çarşı', seller_id=TR_SELLER_ID, auto_update_type='stock_price'),
                  token['refresh_token'], TR_SELLER_ID)
    db.session.add(store); db.session.commit(); print(store.id)
"""
    wait_http(sandbox_url + "/_sandbox/requests")
    out = subprocess.run([PY, "-c", code, sandbox_url], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


PAGES = (("store list", "GET", "/admin/amazon/"),
         ("store page", "GET", "/admin/amazon/stores/{store}"),
         ("API test", "POST", "/admin/amazon/stores/{store}/api-test"),
         ("products", "GET", "/admin/amazon/stores/{store}/products"),
         ("orders", "GET", "/admin/amazon/stores/{store}/orders"),
         ("shipments", "GET", "/admin/amazon/stores/{store}/shipments"))


def run_users(shop_url: str, store_id: int, args, *, think: float):
    samples: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.time() + args.seconds

    def user(n: int) -> None:
        rng = random.Random(n)
        s = requests.Session()
        login = s.get(shop_url + "/admin/login", timeout=30).text  # the demo's login checks a CSRF token
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        s.post(shop_url + "/admin/login", data={"csrf_token": token, "next": "/admin/amazon/"}, timeout=30)
        for _ in range(args.rounds):
            if time.time() > deadline:
                return
            for name, method, path in PAGES:
                if think:
                    time.sleep(min(rng.expovariate(1 / think), 5 * think))
                path = path.format(store=store_id)
                start = time.perf_counter()
                try:
                    if method == "GET":
                        r = s.get(shop_url + path, timeout=30)
                        if name == "store page":
                            token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
                            s.headers["X-CSRFToken"] = token.group(1) if token else ""
                    else:
                        r = s.post(shop_url + path, headers={"HX-Request": "true"}, timeout=30)
                    elapsed = time.perf_counter() - start
                    ok = r.status_code == 200 and "amazon-tr" in r.text
                    with lock:
                        (samples[name].append(elapsed) if ok else errors.append(f"{name}: HTTP {r.status_code}"))
                except requests.RequestException as exc:
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples, errors


if __name__ == "__main__":
    main()
