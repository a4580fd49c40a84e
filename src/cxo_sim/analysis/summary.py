"""``summary.csv`` and ``runs.csv``: the results as tables a spreadsheet opens.

``summary.csv`` has one row per configuration with n, mean and 95% CI half-width per outcome;
``runs.csv`` is the runs table itself, one row per run. The summary is committed with each
experiment's results and compared with reruns, so both must be byte-for-byte reproducible:
t-intervals (no resampling), rows sorted, numbers written with six significant digits.

Covered by ``tests/analysis/test_outputs.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxo_sim.analysis.results import CONFIG_COLUMNS, ResultSet
from cxo_sim.analysis.stats import summarise
from cxo_sim.experiments import safe_files

SIGNIFICANT_DIGITS = 6


def summary_table(rs: ResultSet) -> pd.DataFrame:
    """Per configuration: point, scenario, varied factors, n, ``<outcome>_mean``, ``_ci95``.

    ``_ci95`` is the half-width of the 95% t-interval of the mean over replications, in the
    outcome's unit.
    """
    long = summarise(rs.runs, ["point"], rs.outcomes)
    mean = long.pivot(index="point", columns="outcome", values="mean")[rs.outcomes]
    half = long.pivot(index="point", columns="outcome", values="half_width")[rs.outcomes]
    n = long.groupby("point")["n"].max()
    table = rs.configurations.set_index("point")
    table["n"] = n
    for outcome in rs.outcomes:
        table[f"{outcome}_mean"] = mean[outcome]
        table[f"{outcome}_ci95"] = half[outcome]
    return table.reset_index()[
        list(CONFIG_COLUMNS)
        + rs.factors
        + ["n"]
        + [f"{o}_{s}" for o in rs.outcomes for s in ("mean", "ci95")]
    ]


def write_summary(rs: ResultSet) -> Path:
    """Write ``summary.csv`` into the results folder and return its path."""
    table = summary_table(rs)
    return safe_files.write_output(rs.path / "summary.csv", lambda temp: _csv(table, temp))


def write_runs_csv(rs: ResultSet) -> Path:
    """Write ``runs.csv`` beside the Parquet runs: one row per run, sorted by run id.

    The columns are the Parquet table's (run id, configuration, replication, seed, every
    parameter, every outcome), what spreadsheet users look for as a sweep's table output.
    """
    table = rs.runs.sort_values("run_id", kind="stable")
    return safe_files.write_output(rs.path / "runs.csv", lambda temp: _csv(table, temp))


def _csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, float_format=f"%.{SIGNIFICANT_DIGITS}g", lineterminator="\n")
