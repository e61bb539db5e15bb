#!/usr/bin/env bash
# Sets everything up on a fresh Debian machine (as root or with sudo):
#   bash scripts/setup.sh          system Python + venv, the plugin, its catalog check, the demo database
#   bash scripts/setup.sh --test   the same plus Chromium, PostgreSQL and the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-demo}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=()
command -v python3 >/dev/null 2>&1 || packages+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || packages+=(python3-venv python3-pip)
if [ "$mode" = "--test" ]; then
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${packages[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
fi
if [ "$mode" = "--test" ] && [ -d /usr/lib/postgresql ]; then
  # The Debian package starts a cluster of its own; the tests start a throwaway one instead.
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"flask-amazon-tr needs Python 3.11 or newer; this is {sys.version.split()[0]}")
PY

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
echo "==> installing the plugin and its dependencies"
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel 2>&1 | grep -v "^WARNING: Location" || true
if [ "$mode" = "--test" ]; then extras="[test]"; else extras="[sandbox,postgres]"; fi
.venv/bin/python -m pip install -q -e ".${extras}" 2>&1 | grep -v "^WARNING: Location" || true
(cd / && "$OLDPWD/.venv/bin/python" -c "import flask_amazon_tr") # fails loudly if the install did not work

if [ "$mode" != "--test" ]; then
  echo "==> demo database: shop tables, plugin migrations, demo products"
  .venv/bin/flask --app wsgi demo init
fi
echo "==> set-up done"
