"""gunicorn settings for bench/load.py's fresh workers: each worker tells the bench it has loaded the app.

``post_worker_init`` runs in the worker once the application is imported and created
(``AmazonTR.init_app`` done, its warm-up included) and before it takes a request: the
bench waits for that line, so a fresh worker's first request is timed alone, without
the worker's own start.
"""
import os


def post_worker_init(worker):
    path = os.environ.get("BENCH_READY_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{worker.pid}\n")
