"""cxo-sim: an agent-based model of the CIO-CMO conflict over marketing technology."""

from cxo_sim.model import CxOModel, simulate
from cxo_sim.model.policies import Policy, Threshold
from cxo_sim.outcomes import DIAGNOSTICS, OUTCOMES
from cxo_sim.params import PARAMETERS
from cxo_sim.presets import PRESETS

__version__ = "0.1.0"


def load_results(path):
    """Load the runs table of a results folder as a pandas DataFrame (one row per run)."""
    from cxo_sim.experiments.storage import load_results as _load

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
