#!/usr/bin/env bash
# Sets everything up and starts the demo shop with the plugin at http://127.0.0.1:5000
# (SQLite in instance/, the local Amazon sandbox mounted at /amazon-sandbox; no Amazon account needed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> demo shop: http://127.0.0.1:5000   admin: http://127.0.0.1:5000/admin/amazon/"
# The demo runs the automatic syncs too (one process, so it leads the scheduler itself).
export FLASK_AMAZON_TR_SCHEDULER="${FLASK_AMAZON_TR_SCHEDULER:-true}"
exec .venv/bin/flask --app wsgi run --host 127.0.0.1 --port "${PORT:-5000}"
