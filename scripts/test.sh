#!/usr/bin/env bash
# Install everything the test suite needs, then run lint and the whole suite.
# Used by the README's second quick-start command and by .ci/run. PYTHON and VENV choose the
# interpreter and the environment (see scripts/venv.sh); extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
ensure_venv "[dev]"
venv=${VENV:-.venv}

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)" >&2
  fi
fi

"$venv/bin/python" -c 'import platform, mesa; print(f"Python {platform.python_version()}, Mesa {mesa.__version__}")'
"$venv/bin/ruff" check src tests benchmarks
"$venv/bin/ruff" format --check src tests benchmarks
"$venv/bin/python" -m pytest -n 2 "$@"
