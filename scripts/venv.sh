# Sourced by quickstart.sh and test.sh: create .venv with python3 (or $PYTHON) if it is missing,
# bring pip up to date, and install this package with the extras given as "$1" (e.g. "[dev]").
ensure_venv() {
  local py=${PYTHON:-python3}
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$1"
}
