"""cxo-sim: an agent-based model of the CIO-CMO conflict over marketing technology.

The package by role, each package's docstring indexing its modules:

- :mod:`cxo_sim.params`, :mod:`cxo_sim.constants`, :mod:`cxo_sim.presets`,
  :mod:`cxo_sim.outcomes`: the registries every consumer reads (parameters, behavioural
  constants, presets, outcomes); :mod:`cxo_sim.errors`, :mod:`cxo_sim.stops`,
  :mod:`cxo_sim.compat`: one-line errors, stop signals, Mesa versions.
- :mod:`cxo_sim.model`: the model (ODD 2, 3, 5, 7, 8).
- :mod:`cxo_sim.experiments`: experiment files, the one engine, pools, results folders.
- :mod:`cxo_sim.analysis`: statistics, findings, sensitivity, discovery, figures, reports.
- :mod:`cxo_sim.validation`: ODD 9: targets, patterns, tradeoffs, robustness, explain.
- :mod:`cxo_sim.calibration`: ABC-SMC of the constants (ODD 9.9).
- :mod:`cxo_sim.robust`: organisation designs across plausible worlds: regret, failures, search.
- :mod:`cxo_sim.app` and :mod:`cxo_sim.appkit`: the teaching app.
- :mod:`cxo_sim.cli`: the ``cxo-sim`` command, one module per sub-command.
"""

from cxo_sim.model import CxOModel, simulate
from cxo_sim.model.policies import Policy, Threshold
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES
from cxo_sim.params import PARAMETERS
from cxo_sim.presets import PRESETS

__version__ = "0.1.0"


def load_results(path):
    """Load the runs table of a results folder as a pandas DataFrame (one row per run)."""
    from cxo_sim.experiments.reading import load_results as _load

    return _load(path)


__all__ = [
    "CxOModel",
    "DIAGNOSTICS",
    "OUTCOMES",
    "PARAMETERS",
    "PRESETS",
    "Policy",
    "Threshold",
    "load_results",
    "simulate",
]
