#!/usr/bin/env bash
# Install cxo-sim and run the main job: the "who should own the martech budget?" what-if
# experiment, its figures and its teaching report, written under out/. PYTHON and VENV choose
# the interpreter and the environment (see scripts/venv.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/venv.sh
ensure_venv ""
venv=${VENV:-.venv}

EXPERIMENT=${1:-experiments/budget-ownership.toml}
NAME=$(basename "$EXPERIMENT" .toml)
"$venv/bin/cxo-sim" sweep "$EXPERIMENT" --out out --fresh
"$venv/bin/cxo-sim" report "out/$NAME"
echo
echo "Open out/$NAME/report.html in a browser; figures are in out/$NAME/figures/."
echo "The teaching app: $venv/bin/pip install -e '.[app]' && $venv/bin/cxo-sim app"
