#!/usr/bin/env bash
# Sets everything up (Chromium, PostgreSQL, the test tools) and runs the whole test suite.
# The tests start and stop their own throwaway PostgreSQL cluster and local Amazon sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest "$@"
