"""Golden output: one seeded run of each preset, compared with committed outcomes.

A change to the model that moves any outcome fails here on purpose. If the change is meant,
regenerate with ``UPDATE_GOLDEN=1 pytest tests/test_golden.py`` and say why in the commit.
"""

import json
import math
import os
from pathlib import Path

import pytest

from cxo_sim import PRESETS, simulate

GOLDEN = Path(__file__).parent / "golden" / "outcomes_seed42.json"


def _rounded(values: dict[str, float]) -> dict[str, float | None]:
    return {k: None if math.isnan(v) else float(f"{v:.10g}") for k, v in values.items()}


def current() -> dict[str, dict[str, float | None]]:
    return {
        name: _rounded(simulate(steps=156, seed=42, diagnostics=True, **params))
        for name, params in sorted(PRESETS.items())
    }


def test_seeded_runs_match_the_golden_file():
    now = current()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip("golden file rewritten")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert now == expected
