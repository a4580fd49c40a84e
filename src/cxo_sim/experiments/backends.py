"""Which pool a batch runs on: this machine's processes or a Dask cluster (ODD section 9.1).

The backends build on the interface in :mod:`cxo_sim.experiments.pool`; this module alone
knows them both, so the interface imports neither. Covered by tests/experiments/test_engine.py.
"""

from __future__ import annotations

from cxo_sim.errors import UserError
from cxo_sim.experiments.dask_pool import DaskPool
from cxo_sim.experiments.local_pool import LocalPool
from cxo_sim.experiments.pool import WorkerPool


def open_pool(workers: int | None = None, scheduler: str | None = None) -> WorkerPool:
    """The local pool, or the Dask cluster at ``scheduler``."""
    if scheduler is None:
        return LocalPool(workers)
    if workers is not None:
        raise UserError("--workers: applies to the local pool; a cluster has its own workers")
    return DaskPool(scheduler)
