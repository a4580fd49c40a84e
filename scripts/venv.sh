# Sourced by quickstart.sh, test.sh and .ci/run.
#
# ensure_venv EXTRAS: create the virtual environment $VENV (default .venv) with $PYTHON (default
# python3) if it is missing, bring pip up to date, and install this package with EXTRAS (e.g.
# "[dev]"). cxo-sim supports Python 3.11, 3.12 and 3.13; pip installs the newest Mesa 3.x that
# the interpreter takes (3.3.1 on Python 3.11, 3.5 on 3.12 and later).
ensure_venv() {
  local venv=${VENV:-.venv} py=${PYTHON:-python3}
  if [ ! -x "$venv/bin/python" ]; then
    if ! "$py" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2])' 2>/dev/null; then
      echo "cxo-sim needs Python 3.11, 3.12 or 3.13, and $py is $("$py" --version 2>&1 | head -1)." >&2
      echo "Choose one with PYTHON, e.g. PYTHON=python3.13 bash $0" >&2
      return 1
    fi
    "$py" -m venv "$venv"
  elif [ -n "${PYTHON:-}" ]; then
    local want have
    want=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    have=$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if [ "$want" != "$have" ]; then
      echo "$venv holds Python $have, not $want ($PYTHON): remove it, or set VENV to another folder" >&2
      return 1
    fi
  fi
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e ".$1"
}

# find_python VERSION: print a working interpreter of Python VERSION (e.g. 3.13), python3.13 on
# the PATH or one of pyenv's (a pyenv shim of a version that is not selected does not run).
find_python() {
  local candidate
  for candidate in "python$1" $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$1".*/bin/"python$1" \
      2>/dev/null | sort -V -r); do
    if "$candidate" -c 'import sys' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
