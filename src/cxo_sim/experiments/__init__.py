"""What-if experiments: parse and validate experiment files, expand them into runs, run, store.

- :mod:`~cxo_sim.experiments.spec`: the experiment-file format and its validation.
- :mod:`~cxo_sim.experiments.design`: an experiment as loaded, its design expanded into points.
- :mod:`~cxo_sim.experiments.posterior`: constants drawn from a calibration's posterior.
- :mod:`~cxo_sim.experiments.plan`: runs and their identities.
- :mod:`~cxo_sim.experiments.seeds`: each replication's seed (the plan's, and storage's check).
- :mod:`~cxo_sim.experiments.single_run`: the one way to run one model, and what to record.
- :mod:`~cxo_sim.experiments.engine`: the one engine that runs jobs on a pool (retries, blame,
  deadlines, stall detection, stop signals), for sweeps, validation, calibration and the app.
- :mod:`~cxo_sim.experiments.pool`: the pool interface; :mod:`~cxo_sim.experiments.local_pool`
  and :mod:`~cxo_sim.experiments.dask_pool`, one module per backend;
  :mod:`~cxo_sim.experiments.backends` opens the one a batch runs on.
- :mod:`~cxo_sim.experiments.runner`: the sweep with resume, and in-memory ``evaluate``.
- :mod:`~cxo_sim.experiments.storage`: the results folder a sweep writes into.
- :mod:`~cxo_sim.experiments.reading`: a results folder read back, every part checked.
- :mod:`~cxo_sim.experiments.safe_files`: writes that never follow a symbolic link.
- :mod:`~cxo_sim.experiments.provenance`: versions, the model's fingerprint, the git revision.
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
