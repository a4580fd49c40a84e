"""Runs: what to simulate, each run's identity and its seed.

A run is identified by its configuration (``point``, the index into the design's points) and its
``replication``. Its id is ``point * replications + replication``, so ids are dense, stable and
sorted the same way as (point, replication).

Seed scheme: a run's seed is drawn from ``numpy.random.SeedSequence(base_seed,
spawn_key=(replication,))``: two 32-bit words of ``generate_state`` joined into one 64-bit
integer and cut to 63 bits so it fits a signed int64 column. It depends only on the base seed and
the run's identity, never on the executor, the number of workers or the order runs finish in.
Replication r of every configuration shares one seed: common random numbers. The model draws
its exogenous world (threats, emerging capabilities, each marketer's ideas) from streams of
that seed, so configurations are compared on the same world and the same ideas, and their
differences are measured with far less noise (a paired design).

Covered by ``tests/experiments/test_local_sweeps.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cxo_sim.experiments.posterior import Posterior
from cxo_sim.experiments.seeds import SEED_BITS, run_seed

__all__ = ["SEED_BITS", "Run", "plan_runs", "run_seed"]


@dataclass(frozen=True)
class Run:
    """One model run to do.

    Attributes:
        run_id: stable id, ``point * replications + replication``.
        point: index of the configuration in the design.
        scenario: readable label of the configuration.
        replication: replication number within the configuration, from 0.
        seed: the model's seed (see the module docstring).
        params: complete parameter set.
        steps: weeks to simulate.
        timeseries_every: keep every n-th week of the per-step series (0 = none).
        constants: behavioural constants drawn from a posterior for this replication (None:
            the defaults).
    """

    run_id: int
    point: int
    scenario: str
    replication: int
    seed: int
    params: dict[str, Any]
    steps: int
    timeseries_every: int = 0
    constants: dict[str, float] | None = None


def plan_runs(
    points: list[tuple[str, dict[str, Any]]],
    *,
    steps: int,
    replications: int,
    base_seed: int,
    timeseries_every: int = 0,
    skip: Iterable[int] = (),
    posterior: Posterior | None = None,
) -> Iterator[Run]:
    """Every run of a design in run-id order, lazily, leaving out the ids in ``skip``.

    With a ``posterior``, each replication draws its constants from it, seeded by the
    replication's seed (``cxo_sim.experiments.posterior``): the same draw in every
    configuration.
    """
    done = set(skip)
    for point, (label, params) in enumerate(points):
        for replication in range(replications):
            run_id = point * replications + replication
            if run_id in done:
                continue
            seed = run_seed(base_seed, replication)
            yield Run(
                run_id=run_id,
                point=point,
                scenario=label,
                replication=replication,
                seed=seed,
                params=params,
                steps=steps,
                timeseries_every=timeseries_every,
                constants=None if posterior is None else posterior.draw(seed),
            )
