"""A results folder as the analysis commands see it: manifest, runs and optional series.

Folders are read through ``cxo_sim.experiments.storage`` (which raises ``UserError`` for missing
folders and folders without a manifest); this module adds what every analysis needs on top: an
error for folders without runs, the list of varied factors and the configurations.

Covered by ``tests/analysis/test_effects.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cxo_sim.analysis.numbers import is_share
from cxo_sim.errors import UserError
from cxo_sim.experiments import reading
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, DIAGNOSTICS, OUTCOME_NAMES, OUTCOMES, Outcome
from cxo_sim.params import PARAMETERS, did_you_mean

CONFIG_COLUMNS = ("point", "scenario")


@dataclass
class ResultSet:
    """The contents of one results folder.

    Attributes:
        path: the folder.
        manifest: the parsed ``manifest.json``.
        runs: one row per run (run_id, point, scenario, replication, seed, parameters, outcomes).
        timeseries: per-step rows (run_id, point, scenario, replication, week, series) or None.
    """

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    timeseries: pd.DataFrame | None

    @property
    def name(self) -> str:
        """The experiment's name (the folder's name when the manifest has none)."""
        return str(self.manifest.get("name") or self.path.name)

    @property
    def question(self) -> str:
        """The what-if question the experiment asks."""
        return str(self.manifest.get("question") or f"What does experiment {self.name} show?")

    @property
    def design(self) -> dict[str, Any]:
        """The manifest's design block (sampling, factors, points, scenarios)."""
        return dict(self.manifest.get("design") or {})

    @property
    def sampling(self) -> str:
        """``factorial``, ``lhs`` or ``scenarios``."""
        return str(self.design.get("sampling") or "factorial")

    @property
    def factors(self) -> list[str]:
        """Parameters varied across configurations, in the order the experiment lists them.

        The manifest's factors come first; any other parameter that differs between
        configurations (scenarios set several at once) follows in registry order.
        """
        listed = [f for f in self.design.get("factors") or [] if f in self.runs.columns]
        varied = [
            p
            for p in PARAMETERS
            if p in self.runs.columns and p not in listed and self.runs[p].nunique() > 1
        ]
        return listed + varied

    @property
    def outcomes(self) -> list[str]:
        """Outcome columns present in the runs table, in the fixed order of ODD section 8."""
        return [o for o in OUTCOME_NAMES if o in self.runs.columns]

    @property
    def diagnostics(self) -> list[str]:
        """Diagnostic columns present in the runs table."""
        return [d for d in DIAGNOSTIC_NAMES if d in self.runs.columns]

    @property
    def replications(self) -> int:
        """Replications per configuration (the largest count found in the runs)."""
        return int(self.runs.groupby("point").size().max())

    @property
    def configurations(self) -> pd.DataFrame:
        """One row per configuration: point, scenario and the varied factors, by point."""
        columns = list(CONFIG_COLUMNS) + self.factors
        return self.runs[columns].drop_duplicates("point").sort_values("point", kind="stable")

    def scenario_order(self) -> list[str]:
        """Scenario labels in configuration order (the manifest's scenario order when given)."""
        labels = list(self.configurations["scenario"])
        listed = [s for s in self.design.get("scenarios") or [] if s in labels]
        return listed + [s for s in labels if s not in listed]


def open_results(path: str | Path, series: bool = True) -> ResultSet:
    """Read a results folder, or raise ``UserError`` saying what is wrong with it.

    ``series=False`` leaves the per-step series unread (``timeseries`` is None): what needs only
    the runs works on a folder whose series are missing or damaged.
    """
    folder = Path(path)
    if folder.is_file():
        raise UserError(f"{folder}: is a file, not a results folder")
    manifest = reading.load_manifest(folder)
    runs = reading.load_results(folder)
    if runs.empty:
        raise UserError(f"{folder}: no finished runs yet; run `cxo-sim sweep` first")
    missing = [c for c in ("point", "scenario", "replication") if c not in runs.columns]
    if missing:
        raise UserError(f"{folder}: the runs table lacks column(s) {', '.join(missing)}")
    runs = runs.sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    runs["scenario"] = runs["scenario"].astype(str)
    return ResultSet(folder, manifest, runs, reading.load_timeseries(folder) if series else None)


def measure(name: str) -> Outcome:
    """The declaration of an outcome or diagnostic, or a ``UserError`` naming the closest."""
    if name in OUTCOMES:
        return OUTCOMES[name]
    if name in DIAGNOSTICS:
        return DIAGNOSTICS[name]
    known = list(OUTCOMES) + list(DIAGNOSTICS)
    hint = did_you_mean(name, known, cutoff=0.4) or f"; known: {', '.join(OUTCOMES)}"
    raise UserError(f"unknown outcome {name!r}{hint}")


def unit_label(name: str, difference: bool = False) -> str:
    """Axis label text for an outcome's unit: its unit, or what a unitless number means.

    A share's axis reads in percent ("%"), a difference of shares in percentage points, as the
    tables do (``figure_style.share_axis`` writes its ticks).
    """
    declared = measure(name)
    if is_share(name):
        if difference:
            return "percentage points"
        return "% of martech spend" if name.endswith("spend_share") else "%"
    if declared.unit:
        return declared.unit
    if name in ("trust",):
        return "index, 0 to 1"
    return "share, 0 to 1"


def parameter_label(name: str) -> str:
    """Axis label for a parameter: its name in words and its unit ("CIO risk (0-1)")."""
    declared = PARAMETERS.get(name)
    if declared is None or not declared.unit:
        return words(name)
    return f"{words(name)} ({declared.unit})"


# Outcomes a class reads first (the report's figures and the lesson's worksheet), in order.
HEADLINE = (
    "campaign_velocity",
    "campaign_value",
    "median_lead_time",
    "breaches",
    "shadow_spend_share",
    "trust",
    "tech_spend",
    "total_cost",
    "net_value",
)
# Written in capitals wherever a name is turned into words.
ACRONYMS = {"cio": "CIO", "cmo": "CMO", "ceo": "CEO", "it": "IT"}


def words(name: Any) -> str:
    """A snake_case name (an outcome, a parameter, a scenario, ``factor = level``) in words.

    ``budget_owner = cmo`` reads "budget owner = CMO", ``cio_risk`` "CIO risk".
    """
    tokens = re.split(r"([_ ])", str(name))
    return "".join(ACRONYMS.get(t, " " if t == "_" else t) for t in tokens)


def outcome_label(name: str) -> str:
    """An outcome's name as a title: "Shadow spend share", "Median lead time"."""
    text = words(name)
    return text[:1].upper() + text[1:]
