"""One way to run one model: parameters, weeks, a seed, and what to record.

:func:`run_model` makes the model, steps it week by week and hands each week to a recorder,
which says what the run leaves behind:

- :class:`Outcomes`: the run-level outcomes and every n-th week of the series (the sweep's row
  and time series; ``cxo_sim.model.run_one`` records the same);
- :class:`Weekly`: the outcomes, the weekly tallies validation reads, the shadow breaches found
  and each year's figures (validation, robustness, calibration, explain);
- :class:`WholeModel`: the model itself, with Mesa's DataCollector series (``cxo-sim run`` and
  the app's Compare, which draw it).

Covered by ``tests/experiments/test_single_run.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from cxo_sim.compat import release_model
from cxo_sim.model import SERIES_NAMES, CxOModel

# Per-week series the patterns and the calibration read (from the model's tallies, cheaper than
# the DataCollector); breach_risk is the expected number of breaches so far (ODD 7.11).
SERIES = ("campaigns_launched", "bypasses", "breaches", "breach_risk")


class Recorder(Protocol):
    """What a run records: a state made at the start, fed each week, turned into the result."""

    # Whether the model's DataCollector records every week (Mesa's own series).
    collect_series: bool
    # Whether the model is let go once recorded (a worker makes thousands of runs).
    release: bool

    def start(self, model: CxOModel) -> Any:
        """The recording's state, from the model as made (week 0)."""

    def week(self, model: CxOModel, week: int, state: Any) -> None:
        """Record week ``week`` (1, 2, ...) just stepped."""

    def finish(self, model: CxOModel, state: Any) -> Any:
        """The run's result."""


def run_model(
    params: dict[str, Any],
    *,
    steps: int,
    seed: int,
    record: Recorder,
    constants: dict[str, float] | None = None,
    model_class: type[CxOModel] = CxOModel,
    **settings: Any,
) -> Any:
    """Run one model for ``steps`` weeks and return what ``record`` makes of it.

    Args:
        params: model parameters (missing ones take their defaults).
        steps: weeks to simulate.
        seed: random seed.
        record: what to record (:class:`Outcomes`, :class:`Weekly`, :class:`WholeModel`).
        constants: behavioural constants to override (``cxo_sim.constants``); None: none.
        model_class: ``CxOModel`` or a subclass (the app's ``ClassroomModel``).
        **settings: further keywords of ``model_class`` (the app's ``weeks``).
    """
    if constants is not None:
        settings["constants"] = constants
    model = model_class(seed=seed, **settings, **params)
    model.collect_series = record.collect_series
    state = record.start(model)
    for week in range(1, steps + 1):
        model.step()
        record.week(model, week, state)
    result = record.finish(model, state)
    if record.release:
        release_model(model)  # or a worker on Mesa 3.3 keeps every run in memory
    return result


@dataclass(frozen=True)
class Outcomes:
    """The outcomes and, every ``every`` weeks (0: never), the week's outcomes as a series row.

    The result is ``(outcomes, series or None)``, as ``cxo_sim.model.run_one`` returns.
    """

    every: int = 0
    diagnostics: bool = True
    collect_series: bool = False
    release: bool = True

    def start(self, model: CxOModel) -> tuple[list[int], list[dict[str, float]]]:  # noqa: D102
        return [0], [model.snapshot]

    def week(self, model: CxOModel, week: int, state) -> None:  # noqa: D102
        if self.every and week % self.every == 0:
            state[0].append(week)
            state[1].append(model.outcomes(diagnostics=True))

    def finish(self, model: CxOModel, state) -> tuple[dict[str, float], pd.DataFrame | None]:  # noqa: D102
        series = None
        if self.every:
            weeks, rows = state
            frame = pd.DataFrame(rows, index=pd.Index(weeks, name="week"), columns=SERIES_NAMES)
            series = frame.reset_index()
        return model.outcomes(diagnostics=self.diagnostics), series


@dataclass
class Run:
    """What one run leaves for validation.

    Attributes:
        outcomes: run-level outcomes and diagnostics.
        series: week-by-week values (index 0 is the start) of ``SERIES`` and of trust.
        shadow_breach_weeks: weeks in which a breach of a shadow tool was found.
        years: each finished year's figures.
    """

    outcomes: dict[str, float]
    series: dict[str, np.ndarray]
    shadow_breach_weeks: list[int] = field(default_factory=list)
    years: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Weekly:
    """The outcomes, the weekly tallies of ``SERIES`` and trust, breaches found, the years.

    The result is a :class:`Run`.
    """

    collect_series: bool = False
    release: bool = True

    def start(self, model: CxOModel) -> list[list[float]]:  # noqa: D102
        return [_tallies(model)]

    def week(self, model: CxOModel, week: int, state: list[list[float]]) -> None:  # noqa: D102
        state.append(_tallies(model))

    def finish(self, model: CxOModel, state: list[list[float]]) -> Run:  # noqa: D102
        table = np.array(state, dtype=float)
        series = {name: table[:, i] for i, name in enumerate((*SERIES, "trust"))}
        return Run(
            model.outcomes(diagnostics=True), series, shadow_breach_weeks_of(model), model.years
        )


@dataclass(frozen=True)
class WholeModel:
    """The model itself at the end, its DataCollector holding every week (not let go)."""

    collect_series: bool = True
    release: bool = False

    def start(self, model: CxOModel) -> None:  # noqa: D102
        return None

    def week(self, model: CxOModel, week: int, state: None) -> None:  # noqa: D102
        return None

    def finish(self, model: CxOModel, state: None) -> CxOModel:  # noqa: D102
        return model


def _tallies(model: CxOModel) -> list[float]:
    return [model.tally[name] for name in SERIES] + [model.trust]


def shadow_breach_weeks_of(model: CxOModel) -> list[int]:
    """Weeks in which a breach of a tool IT did not know was found (read from event fields)."""
    return [e.week for e in model.events if e.kind == "breach" and e.shadow]
