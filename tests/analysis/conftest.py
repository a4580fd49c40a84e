"""Synthetic results folders with known properties, shaped like `cxo-sim sweep` writes them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxo_sim.experiments.plan import run_seed
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import resolve

# Typical magnitudes of each outcome; the NOISY ones scatter around them with a 10% sd, the rest
# are constant (so the figures, which skip constant outcomes, stay small and fast to draw).
TYPICAL = {
    "tool_count": 40.0,
    "redundant_tools": 12.0,
    "shadow_tools": 8.0,
    "unreviewed_tools": 3.0,
    "sprawl_index": 2.5,
    "breaches": 3.0,
    "breach_cost": 9000.0,
    "compliance_incidents": 1.0,
    "campaigns_launched": 200.0,
    "campaign_velocity": 16.0,
    "median_lead_time": 3.0,
    "campaign_value": 15000.0,
    "tech_spend": 40000.0,
    "shadow_spend_share": 0.35,
    "business_led_share": 0.42,
    "coordination_cost": 0.0,
    "conflicts": 40.0,
    "escalations": 10.0,
    "trust": 0.5,
    "utilization": 0.45,
    "total_cost": 50000.0,
    "net_value": -35000.0,
}

NOISY = ("campaign_velocity", "tech_spend", "trust")
OutcomeFn = Callable[[dict, np.random.Generator], dict]


def typical_outcomes(params: dict, rng: np.random.Generator) -> dict:
    """Every outcome at its typical value, the noisy ones with 10% noise."""
    return {
        o: v * (1.0 + 0.1 * rng.standard_normal()) if o in NOISY else v for o, v in TYPICAL.items()
    }


def write_results(
    folder: Path,
    configs: list[tuple[str, dict]],
    outcome_fn: OutcomeFn,
    *,
    sampling: str,
    factors: list[str],
    replications: int = 10,
    steps: int = 52,
    timeseries: bool = False,
    name: str = "synthetic",
    question: str = "Does the synthetic lever matter?",
) -> Path:
    """Write a results folder: manifest.json, runs/part-*.parquet and optional timeseries."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, series = [], []
    for point, (label, overrides) in enumerate(configs):
        params = resolve(overrides)
        for rep in range(replications):
            rng = np.random.default_rng([point, rep, 2026])
            outcomes = {**typical_outcomes(params, rng), **outcome_fn(params, rng)}
            run_id = point * replications + rep
            rows.append(
                {
                    "run_id": run_id,
                    "point": point,
                    "scenario": label,
                    "replication": rep,
                    "seed": run_seed(1, rep),
                    **params,
                    **outcomes,
                    **{d: float(rep) for d in DIAGNOSTIC_NAMES},
                }
            )
            for week in range(0, steps + 1, 4):
                share = week / steps
                series.append(
                    {
                        "run_id": run_id,
                        "point": point,
                        "scenario": label,
                        "replication": rep,
                        "week": week,
                        **{o: outcomes[o] * share for o in OUTCOME_NAMES},
                    }
                )
    runs = pd.DataFrame(rows)
    (folder / "runs").mkdir(exist_ok=True)
    half = len(runs) // 2
    runs.iloc[:half].to_parquet(folder / "runs" / "part-00000.parquet")
    runs.iloc[half:].to_parquet(folder / "runs" / "part-00001.parquet")
    if timeseries:
        (folder / "timeseries").mkdir(exist_ok=True)
        pd.DataFrame(series).to_parquet(folder / "timeseries" / "part-00000.parquet")
    scenarios = [label for label, _ in configs] if sampling == "scenarios" else []
    manifest = {
        "name": name,
        "question": question,
        "experiment_file": f"experiments/{name}.toml",
        "experiment_text": f'name = "{name}"\nquestion = "{question}"\n',
        "experiment_hash": "0" * 64,
        "preset": "old_world",
        "steps": steps,
        "replications": replications,
        "seed": 1,
        "design": {
            "sampling": sampling,
            "factors": factors,
            "points": len(configs),
            "scenarios": scenarios,
        },
        "versions": {"cxo_sim": "0.1.0"},
        "git_revision": None,
        "started": "2026-11-23T10:00:00",
        "finished": "2026-11-23T10:01:00",
        "runs_planned": len(runs),
        "runs_done": len(runs),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def practices_outcomes(params: dict, rng: np.random.Generator) -> dict:
    """Meetings cut redundant tools by 4 and cost 50 k$; liaison cuts conflicts by 10."""
    meetings = params["meeting_interval"] > 0
    return {
        "redundant_tools": 12.0 - 4.0 * meetings + rng.standard_normal(),
        "coordination_cost": 50.0 * meetings + 5.0 * params["liaison"] * (1 + rng.random()),
        "conflicts": 40.0 - 10.0 * params["liaison"] + 2.0 * rng.standard_normal(),
    }


def grid_outcomes(params: dict, rng: np.random.Generator) -> dict:
    """Breaches grow with CIO risk tolerance under a CMO budget; velocity grows with urgency."""
    cmo = params["budget_owner"] == "cmo"
    return {
        "breaches": 2.0 + 10.0 * params["cio_risk"] * cmo + 0.5 * rng.standard_normal(),
        "shadow_spend_share": 0.5 - 0.4 * cmo + 0.02 * rng.standard_normal(),
        "campaign_velocity": 10.0 + 8.0 * params["cmo_speed"] + rng.standard_normal(),
    }


def combined_outcomes(params: dict, rng: np.random.Generator) -> dict:
    """The combined role: no conflicts by construction, a little more velocity."""
    combined = params["combined_role"]
    return {
        "conflicts": 0.0 if combined else 20.0 + rng.standard_normal(),
        "campaign_velocity": 17.0 + 0.5 * combined + 0.2 * rng.standard_normal(),
    }


@pytest.fixture
def combined_results(tmp_path: Path) -> Path:
    return write_results(
        tmp_path / "combined",
        [("two executives", {}), ("one executive", {"combined_role": True})],
        combined_outcomes,
        sampling="scenarios",
        factors=[],
        replications=10,
        name="combined",
    )


@pytest.fixture
def practices_results(tmp_path: Path) -> Path:
    configs = [
        ("baseline", {}),
        ("meetings", {"meeting_interval": 2}),
        ("liaison", {"liaison": True}),
        ("pilot_first", {"pilot_first": True}),
    ]
    return write_results(
        tmp_path / "practices",
        configs,
        practices_outcomes,
        sampling="scenarios",
        factors=[],
        replications=20,
        timeseries=True,
        name="practices",
        question="What does each collaboration practice buy and cost?",
    )


@pytest.fixture
def grid_results(tmp_path: Path) -> Path:
    configs = []
    for owner, risk, speed in itertools.product(["cio", "cmo"], [0.2, 0.5, 0.8], [0.3, 0.9]):
        label = f"budget_owner={owner}, cio_risk={risk}, cmo_speed={speed}"
        configs.append((label, {"budget_owner": owner, "cio_risk": risk, "cmo_speed": speed}))
    return write_results(
        tmp_path / "grid",
        configs,
        grid_outcomes,
        sampling="factorial",
        factors=["budget_owner", "cio_risk", "cmo_speed"],
        replications=8,
        name="grid",
        question="Who should own the budget, given the CIO's risk tolerance?",
    )


@pytest.fixture
def lhs_results(tmp_path: Path) -> Path:
    rng = np.random.default_rng(7)
    configs = []
    for i in range(40):
        overrides = {
            "cio_risk": float(rng.random()),
            "threat_level": float(rng.random()),
            "budget_owner": ["cio", "cmo", "shared"][i % 3],
        }
        configs.append((f"lhs-{i:04d}", overrides))
    return write_results(
        tmp_path / "lhs",
        configs,
        grid_outcomes,
        sampling="lhs",
        factors=["cio_risk", "threat_level", "budget_owner"],
        replications=3,
        name="lhs",
    )


@pytest.fixture
def flat_results(tmp_path: Path) -> Path:
    """Two scenarios that differ in nothing but their label's lever: no clear change anywhere."""
    return write_results(
        tmp_path / "flat",
        [("baseline", {}), ("same", {"liaison": True})],
        lambda params, rng: {},
        sampling="scenarios",
        factors=[],
        replications=5,
        name="flat",
    )
