"""An experiment as loaded: its settings, and its design expanded into configurations.

:class:`Experiment` is what :func:`cxo_sim.experiments.spec.load_experiment` returns once the
file is valid; :meth:`Experiment.points` expands its factors (full factorial, Latin hypercube or
named scenarios) into the configurations the plan runs. Covered by
``tests/experiments/test_experiment_files.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cxo_sim import params as registry
from cxo_sim.experiments.posterior import Posterior
from cxo_sim.presets import PRESETS

# The LHS design is drawn from its own stream, apart from every run's (point, replication) stream.
LHS_STREAM = (0x1A5,)


_SIGNIFICANT_DIGITS = 12


@dataclass
class Experiment:
    """A validated experiment file.

    Attributes:
        name: experiment name; results go to ``<root>/<name>/``.
        question: the what-if question the experiment answers.
        preset: name of the base preset.
        steps: weeks simulated per run.
        replications: runs per configuration, each with its own seed.
        seed: base seed every run's seed derives from.
        fixed: parameter values set for every run (validated).
        factors: varied parameters: a list of validated values, or a range
            ``{"min": x, "max": y, "n": k}`` (``n`` absent for LHS ranges).
        sampling: ``{"method": "factorial" | "lhs" | "scenarios"}`` plus ``n`` for LHS.
        output: ``{"timeseries_every": weeks}`` (0 = no time series).
        scenarios: named configurations, each ``{"name": str, "preset": str, <parameter>: value}``.
        sensitivity: the validated ``[sensitivity]`` table, or None.
        posterior: the posterior each replication draws its constants from
            (``[uncertainty] posterior``), or None: every run at the default constants.
        text: the file's text, as read.
        path: the file's path.
    """

    name: str
    question: str
    preset: str
    steps: int
    replications: int
    seed: int
    fixed: dict[str, Any]
    factors: dict[str, Any]
    sampling: dict[str, Any]
    output: dict[str, Any]
    text: str
    path: Path
    scenarios: list[dict[str, Any]] = field(default_factory=list)
    sensitivity: dict[str, Any] | None = None
    posterior: Posterior | None = None

    @property
    def method(self) -> str:
        """The sampling method: factorial, lhs or scenarios."""
        return self.sampling["method"]

    @property
    def text_hash(self) -> str:
        """SHA-256 of the file's text: a changed file gives a different hash."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def factor_values(self, name: str) -> list[Any]:
        """The values a factorial design takes for factor ``name`` (ranges expanded)."""
        return _expand(registry.get(name), self.factors[name])

    def points(self) -> list[tuple[str, dict[str, Any]]]:
        """Every configuration of the design as (readable label, complete parameter set)."""
        if self.method == "scenarios":
            return [(s["name"], self._scenario_params(s)) for s in self.scenarios]
        if self.method == "lhs":
            return self._lhs_points()
        return self._factorial_points()

    def design(self) -> dict[str, Any]:
        """The design summary stored in the manifest."""
        return {
            "sampling": self.method,
            "factors": list(self.factors),
            "points": len(self.points()),
            "scenarios": [s["name"] for s in self.scenarios],
        }

    def _base(self) -> dict[str, Any]:
        return {**PRESETS[self.preset], **self.fixed}

    def _scenario_params(self, scenario: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in scenario.items() if k not in ("name", "preset")}
        return {**PRESETS[scenario["preset"]], **self.fixed, **values}

    def _factorial_points(self) -> list[tuple[str, dict[str, Any]]]:
        names = list(self.factors)
        if not names:
            return [(self.preset, self._base())]
        grids = [self.factor_values(n) for n in names]
        points = []
        for combo in itertools.product(*grids):
            values = dict(zip(names, combo, strict=True))
            label = ", ".join(f"{n}={_label_value(v)}" for n, v in values.items())
            points.append((label, {**self._base(), **values}))
        return points

    def _lhs_points(self) -> list[tuple[str, dict[str, Any]]]:
        n = self.sampling["n"]
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=LHS_STREAM))
        columns = {
            name: _lhs_column(registry.get(name), spec, _strata(rng, n))
            for name, spec in self.factors.items()
        }
        width = max(4, len(str(n - 1)))
        return [
            (f"lhs-{i:0{width}d}", {**self._base(), **{k: col[i] for k, col in columns.items()}})
            for i in range(n)
        ]


def _expand(parameter: registry.Parameter, spec: Any) -> list[Any]:
    """A factor's values: the list itself, or ``n`` evenly spaced values of a range."""
    if isinstance(spec, list):
        return list(spec)
    grid = np.linspace(spec["min"], spec["max"], spec["n"])
    if parameter.kind == "int":
        return list(dict.fromkeys(int(round(x)) for x in grid))
    return list(dict.fromkeys(_tidy(x) for x in grid))


def _tidy(x: float) -> float:
    """Round to 12 significant digits so 0.30000000000000004 is stored and shown as 0.3."""
    return float(f"{x:.{_SIGNIFICANT_DIGITS}g}")


def _strata(rng: np.random.Generator, n: int) -> np.ndarray:
    """One Latin-hypercube column: a point in each of n equal strata of [0, 1), shuffled."""
    return (rng.permutation(n) + rng.random(n)) / n


def _lhs_column(parameter: registry.Parameter, spec: Any, u: np.ndarray) -> list[Any]:
    """Map uniform draws onto a factor: a list by equal shares, a range continuously."""
    if isinstance(spec, list):
        return [spec[min(int(x * len(spec)), len(spec) - 1)] for x in u]
    low, high = spec["min"], spec["max"]
    if parameter.kind == "int":
        return [min(int(math.floor(low + x * (high - low + 1))), high) for x in u]
    return [_tidy(low + x * (high - low)) for x in u]


def _label_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
