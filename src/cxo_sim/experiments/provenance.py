"""Where results come from: the software's versions, the model's fingerprint, the git revision.

Every results folder's and calibration's manifest records them, and resuming refuses a changed
model. Covered by ``tests/experiments/test_provenance.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import pkgutil
import platform
import subprocess
from pathlib import Path

import pandas as pd

# Modules besides the model package (every module of ``cxo_sim.model``) whose source decides a
# run's results (see model_fingerprint).
MODEL_INPUTS = (
    "cxo_sim.compat",
    "cxo_sim.constants",
    "cxo_sim.params",
    "cxo_sim.presets",
    "cxo_sim.outcomes",
)


def software_versions() -> dict[str, str]:
    """Versions of the package and of what its results depend on."""
    import mesa
    import numpy

    import cxo_sim

    return {
        "cxo_sim": cxo_sim.__version__,
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "python": platform.python_version(),
    }


def model_fingerprint() -> str:
    """SHA-256 over the source of the modules that decide a run's results.

    Resuming refuses a changed model, so one table never mixes two versions of the model even
    between commits or with uncommitted edits.
    """
    import cxo_sim.model

    package = cxo_sim.model.__path__
    modules = [info.name for info in pkgutil.walk_packages(package, "cxo_sim.model.")]
    digest = hashlib.sha256()
    for module in ["cxo_sim.model", *sorted(modules), *MODEL_INPUTS]:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            digest.update(module.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.hexdigest()


def git_revision() -> str | None:
    """The commit of the package's source tree, or None when it is not a git checkout."""
    source = Path(__file__).resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    revision = done.stdout.strip()
    return revision if done.returncode == 0 and revision else None


def now() -> str:
    """The time now, local, to the second, as ISO 8601 (the manifests' start and end times)."""
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
