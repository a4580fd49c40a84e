"""The base install (no extras) has everything cxo_sim imports, and what its dependencies import.

Issue 25: Mesa 3.5 imports networkx when ``import mesa`` runs but lists it only under its
extras, so ``pip install cxo-sim`` on Python 3.12 or 3.13 gave a ``cxo-sim sweep`` that failed,
while the tests, run with ``[dev]``, passed. These tests run with ``[dev]`` too, so they hide what
the base dependencies would not install:

- every third-party import in ``src/cxo_sim`` is declared in pyproject.toml, by the base
  dependencies for a module meant to work without extras (not merely brought by one of them);
- with every distribution outside the base dependencies and what they require hidden,
  ``scripts/check_base_install.py`` imports each base module and runs a short model (this is
  where an undeclared import inside Mesa, pyabc or another dependency shows, on the Mesa that
  this Python installs);
- ``cxo-sim app`` without the app extra says in one line what to install.

.ci/quickstart runs the same script in the quick start's own environment, which has no extras.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata as md
import json
import re
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "cxo_sim"
CHECK = ROOT / "scripts" / "check_base_install.py"
EXTRA_ONLY = runpy.run_path(str(CHECK))["EXTRA_ONLY"]

# Imports that a base module makes inside a function, for one feature that needs an extra; the
# function says which extra to install when the import fails.
OPTIONAL_IN_BASE = {"distributed": "cluster"}  # experiments/pool.py: sweep --scheduler


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[list[str], dict[str, list[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["dependencies"], project["optional-dependencies"]


def _wanted(requirement: Requirement, extras: set[str]) -> bool:
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras or {""})


def _requires(name: str, extras: set[str]) -> list[Requirement]:
    """What the installed distribution ``name`` requires, with ``extras`` requested."""
    try:
        listed = md.requires(name) or []
    except md.PackageNotFoundError:
        return []  # not installed here, so it cannot be imported either
    return [r for r in map(Requirement, listed) if _wanted(r, extras)]


@functools.cache
def _has_modules(name: str) -> bool:
    try:
        files = md.files(name) or []
    except md.PackageNotFoundError:
        return False
    return any(file.suffix in {".py", ".so", ".pyd"} for file in files)


def _provided(requirements: list[str]) -> set[str]:
    """Distributions that ``requirements`` name directly, through an extra, or through a meta
    distribution (one with no modules of its own, like solara, whose modules are solara-ui's).
    """
    names = set()
    for requirement in map(Requirement, requirements):
        names.add(_normal(requirement.name))
        if requirement.extras or not _has_modules(requirement.name):
            names |= {_normal(r.name) for r in _requires(requirement.name, requirement.extras)}
    return names


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution that installing ``requirements`` installs (by installed metadata)."""
    seen: set[str] = set()
    todo = [(r, set(r.extras)) for r in map(Requirement, requirements) if _wanted(r, set())]
    while todo:
        requirement, extras = todo.pop()
        name = _normal(requirement.name)
        key = f"{name}[{','.join(sorted(extras))}]"
        if key in seen:
            continue
        seen.add(key)
        todo += [(r, set(r.extras)) for r in _requires(requirement.name, extras)]
    return {key.partition("[")[0] for key in seen}


def _third_party_imports(path: Path) -> list[tuple[str, int, bool]]:
    """(top-level name, line, at module level) of each import of another distribution."""
    tree = ast.parse(path.read_text(), str(path))
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_function |= {id(inner) for inner in ast.walk(node) if inner is not node}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.partition(".")[0]
            if top not in sys.stdlib_module_names and top != "cxo_sim":
                found.append((top, node.lineno, id(node) not in in_function))
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _extra_of(module: str) -> str | None:
    for prefix, extra in EXTRA_ONLY.items():
        if module == prefix or module.startswith(prefix + "."):
            return extra
    return None


def test_every_third_party_import_is_declared():
    base, extras = _declared()
    distributions = md.packages_distributions()
    gaps = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        extra = _extra_of(module)
        for top, line, module_level in _third_party_imports(path):
            allowed = base + (extras[extra] if extra else [])
            if extra is None and not module_level and top in OPTIONAL_IN_BASE:
                allowed = allowed + extras[OPTIONAL_IN_BASE[top]]
            owners = {_normal(d) for d in distributions.get(top, [])}
            if not owners:
                gaps.append(f"{path.relative_to(ROOT)}:{line}: {top} is not installed here")
            elif not owners & _provided(allowed):
                where = f"the {extra} extra" if extra else "the base dependencies"
                gaps.append(
                    f"{path.relative_to(ROOT)}:{line}: imports {top} ({', '.join(sorted(owners))})"
                    f", not named by {where} in pyproject.toml"
                )
    assert not gaps, "\n".join(gaps)


def test_the_check_sees_an_undeclared_import():
    # The check above is only worth something if a missing declaration fails it: scipy comes
    # with Mesa, SALib and scikit-learn as well, and still counts only if it is declared.
    base, extras = _declared()
    assert "scipy" in _provided(base)
    assert "scipy" not in _provided([r for r in base if Requirement(r).name != "scipy"])
    assert "distributed" in _provided(extras["cluster"])
    assert "solara-ui" in _provided(extras["app"])


# Run first in a fresh interpreter: a finder that refuses the top-level modules of the hidden
# distributions, as if they were not installed.
HIDE = """
import importlib.abc, json, sys
HIDDEN = set(json.loads(sys.argv.pop(1)))

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if path is None and name in HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden)", name=name)
        return None

sys.meta_path.insert(0, Hide())
"""


def _run_with_base_only(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``code`` with every distribution hidden that the base dependencies do not install."""
    base, _ = _declared()
    keep = _closure(base) | {"cxo-sim"}
    hidden = {
        top
        for top, owners in md.packages_distributions().items()
        if not any(_normal(owner) in keep for owner in owners)
    }
    assert {"solara", "pytest"} <= hidden  # installed here by [dev], not by the base install
    return subprocess.run(
        [sys.executable, "-c", HIDE + code, json.dumps(sorted(hidden))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_base_modules_import_and_a_model_runs_with_only_the_base_dependencies(tmp_path):
    run = _run_with_base_only(
        f"import runpy; runpy.run_path({str(CHECK)!r}, run_name='__main__')", tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "modules import and a 13-week model runs" in run.stdout


@pytest.mark.parametrize("module", sorted(EXTRA_ONLY))
def test_extra_only_modules_need_their_extra(module, tmp_path):
    # Also shows that hiding works: these imports succeed in this environment, which has [dev].
    run = _run_with_base_only(f"import {module}", tmp_path)
    assert run.returncode == 1
    assert "(hidden)" in run.stderr.strip().splitlines()[-1]


def test_app_without_its_extra_is_a_one_line_error(tmp_path):
    code = "import sys\nfrom cxo_sim.cli import main\nsys.exit(main(['app']))"
    run = _run_with_base_only(code, tmp_path)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "cxo-sim app: error: the app needs solara, which the app extra installs: "
        "pip install 'cxo-sim[app]'"
    ]
