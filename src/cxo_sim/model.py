"""PLACEHOLDER: interface only, replaced by the real model shortly."""

from __future__ import annotations

import mesa
import pandas as pd

from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve

SERIES = OUTCOME_NAMES + ("bypasses",)


class CxOModel(mesa.Model):
    """Placeholder."""

    def __init__(self, seed=None, **params):
        super().__init__(seed=seed)
        self.params = resolve(params)
        for k, v in self.params.items():
            setattr(self, k, v)
        self.week = 0
        self.events = []
        self._vals = {n: 0.0 for n in OUTCOME_NAMES + DIAGNOSTIC_NAMES}
        self.datacollector = mesa.DataCollector(
            model_reporters={n: (lambda m, n=n: m._vals[n]) for n in SERIES}
        )
        self.datacollector.collect(self)

    def step(self):
        """Placeholder step."""
        self.week += 1
        for n in self._vals:
            self._vals[n] += self.random.random() * (1 + self.params["cmo_speed"])
        self.datacollector.collect(self)

    def outcomes(self, diagnostics=False):
        """Placeholder outcomes."""
        names = OUTCOME_NAMES + (DIAGNOSTIC_NAMES if diagnostics else ())
        return {n: float(self._vals[n]) for n in names}


def run_one(params, steps=156, seed=0, timeseries_every=0, diagnostics=True):
    """Run one model; return (outcomes dict, per-step DataFrame or None)."""
    model = CxOModel(seed=seed, **params)
    for _ in range(steps):
        model.step()
    ts = None
    if timeseries_every:
        df = model.datacollector.get_model_vars_dataframe()
        df.index.name = "week"
        ts = df.iloc[::timeseries_every].reset_index()
    return model.outcomes(diagnostics=diagnostics), ts


def simulate(steps=156, seed=0, diagnostics=False, **params):
    """Run one model and return its run-level outcomes."""
    return run_one(params, steps=steps, seed=seed, diagnostics=diagnostics)[0]


__all__ = ["CxOModel", "simulate", "run_one", "pd"]
