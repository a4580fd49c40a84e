"""One small calibration of the real model, shared by the report and coverage tests."""

from __future__ import annotations

import pytest

from cxo_sim.calibration.abc import calibrate
from cxo_sim.calibration.spec import load_calibration

# BASE_HAZARD sets the breach chance; TECHNOLOGIST_COST is the marketing technologists' wage,
# and old_world has none, so no target can depend on it.
SMALL = """
name = "small"
seed = 3
years = 2
population = 20
generations = 2
predictive = 10
[constants]
calibrate = ["BASE_HAZARD", "TECHNOLOGIST_COST"]
[targets]
breached = { low = 0.02, high = 0.12 }
"""


@pytest.fixture(scope="session")
def small_calibration(tmp_path_factory):
    """A finished two-constant calibration of two-year runs: its file and its result."""
    root = tmp_path_factory.mktemp("calibrations")
    path = root / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    calibration = load_calibration(path)
    return path, calibration, calibrate(calibration, root=root, workers=2)
