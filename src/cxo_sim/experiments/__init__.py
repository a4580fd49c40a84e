"""What-if experiments: parse and validate experiment files, expand them into runs, run, store.

- :mod:`cxo_sim.experiments.spec`: the experiment-file format and its validation.
- :mod:`cxo_sim.experiments.plan`: runs and their identities.
- :mod:`cxo_sim.experiments.seeds`: each replication's seed (the plan's, and storage's check).
- :mod:`cxo_sim.experiments.storage`: the results folder (manifest and Parquet parts).
- :mod:`cxo_sim.experiments.pool`: where runs execute (local processes or a Dask cluster).
- :mod:`cxo_sim.experiments.runner`: the sweep with resume, and in-memory ``evaluate``.
"""

from cxo_sim.experiments.design import Experiment
from cxo_sim.experiments.reading import load_manifest, load_results, load_timeseries
from cxo_sim.experiments.runner import evaluate, sweep
from cxo_sim.experiments.spec import load_experiment

__all__ = [
    "Experiment",
    "evaluate",
    "load_experiment",
    "load_manifest",
    "load_results",
    "load_timeseries",
    "sweep",
]
