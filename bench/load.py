"""Concurrent shop admins against the demo under gunicorn, while an order import runs.

    .venv/bin/python bench/load.py [--workers 4] [--users 20] [--rounds 15] [--seconds 120]
                                   [--think 2.0] [--mode both|think|closed] [--fresh 3]

Everything runs on 127.0.0.1: a local Amazon sandbox process, the demo shop under gunicorn
(gthread workers) and N admin users, each signed in, going through the store list, the store
page, the API test (an HTMX post), the products, orders and shipments pages.

Two ways to model the admins, both reported (wall clock, time.perf_counter per request):
- think: each admin waits a random think time (exponential, mean --think seconds) between
  two clicks, as people do; this is the figure the target (p95 < 50 ms, 20 admins) is about;
- closed: each admin clicks again as soon as the answer is in, the worst case.
Bounded by --rounds per admin and by --seconds per mode. Every process it starts is stopped
on the way out, the order import included. Needs gunicorn (pip install -e '.[bench]').

Before the admins, --fresh times a fresh worker's first request to each page (gunicorn with one
worker, started anew each time, the request sent once the worker has loaded the app), with the
plugin's warm-up (wsgi:app) and without it (bench/cold_wsgi.py), alternated, --fresh times each.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
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
    parser.add_argument("--fresh", type=int, default=3, help="fresh workers timed with and without warm-up (0: none)")
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
        first = fresh_workers(gunicorn, env, store_id, args.fresh, tmp) if args.fresh else {}
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

    print_fresh(first, args.fresh)
    print(f"\ngunicorn workers: {args.workers} (gthread x4), admin users: {args.users}, rounds per user: {args.rounds}")
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


def admin_cookie(env) -> tuple[str, str]:
    """The demo's signed-in session cookie (name, value), signed with the instance's key: no login request."""
    code = ("from wsgi import app\n"
            "print(app.config['SESSION_COOKIE_NAME'], app.session_interface.get_signing_serializer(app)"
            ".dumps({'demo_admin': True}))")
    out = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    name, value = out.stdout.strip().splitlines()[-1].split(" ", 1)
    return name, value


def fresh_workers(gunicorn: str, env, store_id: int, trials: int, tmp: Path) -> dict[str, dict[str, list]]:
    """Per app ("cold": no warm-up, "warm"): per page, [first request ms, next request ms] of each fresh worker."""
    cookie = admin_cookie(env)
    apps = {"cold": "cold_wsgi:app", "warm": "wsgi:app"}
    timings: dict[str, dict[str, list]] = {mode: defaultdict(list) for mode in apps}
    pages = [(name, path.format(store=store_id)) for name, method, path in PAGES if method == "GET"]
    for trial in range(trials):
        for mode in (("cold", "warm") if trial % 2 == 0 else ("warm", "cold")):  # alternated: noise hits both
            port, ready = free_port(), tmp / f"ready-{mode}-{trial}"
            with Children() as children:
                proc = children.start([gunicorn, "-w", "1", "-k", "gthread", "--threads", "4", "-b", f"127.0.0.1:{port}",
                                       "-c", str(ROOT / "bench" / "gunicorn_ready.py"),
                                       "--pythonpath", str(ROOT / "bench"), "--log-level", "warning", apps[mode]],
                                      env=dict(env, BENCH_READY_FILE=str(ready)), cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 60
                while not (ready.exists() and ready.read_text().strip()):
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn ({apps[mode]}) did not load the app")
                    time.sleep(0.05)
                time.sleep(0.3)  # the worker's own start settles
                s = requests.Session()
                s.cookies.set(*cookie)
                for name, path in pages:
                    visits = []
                    for _ in range(2):
                        start = time.perf_counter()
                        r = s.get(f"http://127.0.0.1:{port}{path}", timeout=30)
                        visits.append((time.perf_counter() - start) * 1000)
                        if r.status_code != 200 or "amazon-tr" not in r.text:
                            raise RuntimeError(f"{apps[mode]} {path}: HTTP {r.status_code}")
                    timings[mode][name].append(visits)
    return timings


def print_fresh(timings: dict, trials: int) -> None:
    if not timings:
        return
    print(f"\n[measured] a fresh gunicorn worker (1 worker, gthread x4), each page's first request, min / median of "
          f"{trials} workers per column (wall clock, ms); the pages in this order, the store list being the worker's "
          "first request")
    print(f"{'page':<14}{'no warm-up':>16}{'warm-up':>16}{'next visit':>16}")
    for name in timings["warm"]:
        cells = [[v[0] for v in timings["cold"][name]], [v[0] for v in timings["warm"][name]],
                 [v[1] for v in timings["warm"][name]]]
        print(f"{name:<14}" + "".join(f"{min(c):>7.1f} / {statistics.median(c):>6.1f}" for c in cells))


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
