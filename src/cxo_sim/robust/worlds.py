"""Plausible worlds: the uncertainties sampled once, by Latin hypercube or scrambled Sobol.

A world is one value of every uncertainty the spec names: each context parameter (a numeric
range continuously, integers rounded down into equal strata, a list of values by equal shares),
each ranged behavioural constant, and, with a posterior, one particle drawn by weight (one more
dimension of the sample, read through the weights' cumulative sum). The sample comes from
``scipy.stats.qmc`` with a generator seeded from the spec's seed on its own stream, so the same
spec gives the same worlds to the bit. Covered by ``tests/robust/test_worlds.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from cxo_sim import params as registry
from cxo_sim.robust.spec import RobustSpec

# The worlds' stream of the spec's seed, apart from every run's (replication) stream.
WORLD_STREAM = (0x30B057,)
# The fixed worlds of the search: another stream, so they are not the first evaluated worlds.
SEARCH_STREAM = (0x5EA4C,)
# The fresh worlds on which the failure boxes are re-checked.
RECHECK_STREAM = (0x4EC4EC,)


@dataclass(frozen=True)
class World:
    """One plausible world.

    Attributes:
        index: its number, from 0.
        params: context parameter values (set over the design's).
        constants: behavioural constant values (ranged and drawn from the posterior).
    """

    index: int
    params: dict[str, Any]
    constants: dict[str, float]


def sample_worlds(spec: RobustSpec, count: int | None = None, stream=WORLD_STREAM) -> list[World]:
    """The spec's worlds (``count`` of them, default the spec's number), in a fixed order."""
    count = spec.worlds if count is None else count
    dimensions = len(spec.context) + len(spec.constants) + (spec.posterior is not None)
    rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=stream))
    if spec.sampler == "sobol":
        sample = qmc.Sobol(dimensions, scramble=True, rng=rng).random(count)
    else:
        sample = qmc.LatinHypercube(dimensions, rng=rng).random(count)
    columns = iter(sample.T)
    params = {
        name: _context_column(name, spec.context[name], next(columns)) for name in spec.context
    }
    constants = {
        name: [float(low + u * (high - low)) for u in next(columns)]
        for name, (low, high) in spec.constants.items()
    }
    if spec.posterior is not None:
        cumulative = np.cumsum(spec.posterior.weights)
        rows = np.minimum(
            np.searchsorted(cumulative, next(columns), side="right"), len(cumulative) - 1
        )
        for i, name in enumerate(spec.posterior.names):
            constants[name] = [float(spec.posterior.values[row, i]) for row in rows]
    return [
        World(
            index=i,
            params={name: column[i] for name, column in params.items()},
            constants={name: column[i] for name, column in constants.items()},
        )
        for i in range(count)
    ]


def _context_column(name: str, spec: Any, u: np.ndarray) -> list[Any]:
    parameter = registry.get(name)
    if isinstance(spec, list):
        return [spec[min(int(x * len(spec)), len(spec) - 1)] for x in u]
    low, high = spec["min"], spec["max"]
    if parameter.kind == "int":
        return [min(int(np.floor(low + x * (high - low + 1))), high) for x in u]
    return [float(low + x * (high - low)) for x in u]


def world_table(worlds: list[World]) -> pd.DataFrame:
    """One row per world, one column per uncertainty (constants under their own names)."""
    return pd.DataFrame([{"world": w.index, **w.params, **w.constants} for w in worlds]).set_index(
        "world"
    )
