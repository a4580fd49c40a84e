"""Check that cxo-sim works with its base dependencies alone (no extras).

Imports every module of cxo_sim that is meant to work without extras, then runs one short model.
Prints one line per failure and exits 1, or prints what it checked and exits 0.

Run by .ci/quickstart with the quick start's environment, which has no extras installed, and by
tests/test_dependencies.py with every distribution outside the base dependencies hidden.
"""

import importlib
import importlib.util
import math
import sys
import traceback
from pathlib import Path

# Modules (and the packages under them) that need an extra, by the extra they need. Every other
# module of cxo_sim imports with the base dependencies alone; one that uses an extra for one
# feature imports it there, inside the function, and says which extra to install.
EXTRA_ONLY = {"cxo_sim.app": "app", "cxo_sim.appkit": "app"}
STEPS = 13  # weeks of the short model


def extra_of(module: str) -> str | None:
    """The extra ``module`` needs, or None if it works with the base dependencies."""
    for prefix, extra in EXTRA_ONLY.items():
        if module == prefix or module.startswith(prefix + "."):
            return extra
    return None


def all_modules() -> list[str]:
    """Every module of the installed cxo_sim package, by name, found without importing any."""
    spec = importlib.util.find_spec("cxo_sim")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("base install: cxo_sim is not installed in this environment")
    root = Path(next(iter(spec.submodule_search_locations)))
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def main() -> int:
    """Import the base modules and run one short model; 0 if both work."""
    failures = []
    base = [name for name in all_modules() if extra_of(name) is None]
    for name in base:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported, one line each
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename[0] != "<"]
            where = f" ({frames[-1].filename}:{frames[-1].lineno})" if frames else ""
            failures.append(f"import {name}: {type(exc).__name__}: {exc}{where}")
    try:
        cxo_sim = importlib.import_module("cxo_sim")
        outcomes = cxo_sim.simulate(steps=STEPS, seed=1)
        missing = sorted(set(cxo_sim.OUTCOMES) - set(outcomes))
        if missing:
            failures.append(f"short model: outcomes missing: {', '.join(missing)}")
        if not all(math.isfinite(value) for value in outcomes.values()):
            failures.append("short model: an outcome is not a finite number")
    except Exception as exc:
        failures.append(f"short model: {type(exc).__name__}: {exc}")
    for failure in failures:
        print(f"base install: {failure}", file=sys.stderr)
    if failures:
        return 1
    import mesa

    print(
        f"base install: {len(base)} modules import and a {STEPS}-week model runs "
        f"(Python {sys.version.split()[0]}, Mesa {mesa.__version__}; extra-only: "
        f"{', '.join(f'{name} [{extra}]' for name, extra in EXTRA_ONLY.items())})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
