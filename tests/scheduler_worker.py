"""One shop worker process for the scheduler tests: the demo shop with the scheduler on, as gunicorn would load it.

    python tests/scheduler_worker.py '{"SQLALCHEMY_DATABASE_URI": ..., ...}'

It serves no HTTP (the election and the jobs do not need requests); SIGTERM
stops it cleanly, SIGKILL is how the tests simulate a crash.
"""
from __future__ import annotations

import json
import logging
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logging.basicConfig(level=logging.INFO, format="%(process)d %(levelname)s %(message)s")


def main() -> None:
    from demo import create_app

    app = create_app(json.loads(sys.argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"ready {app.extensions['amazon_tr'].scheduler.holder}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
