"""Tiny robust-design specs (few designs, few worlds, few weeks) shared by the robust tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# Four designs x six worlds x two replicates of 10 weeks: 48 runs of a few ms each.
TINY = """
name = "tiny"
question = "Who should own the budget, with or without a liaison?"
steps = 10
replications = 2
seed = 11
[levers]
budget_owner = ["cio", "cmo"]
liaison = [false, true]
[uncertainties]
worlds = 6
[uncertainties.context]
n_marketers = { min = 8, max = 30 }
cmo_speed = { min = 0.2, max = 1.0 }
[uncertainties.constants]
HYPE_START = "plausible"
[[objectives]]
outcome = "net_value"
threshold = 0
[[objectives]]
outcome = "breaches"
"""

WriteSpec = Callable[..., Path]


@pytest.fixture
def tiny() -> str:
    """The tiny spec's text: 4 designs x 6 worlds x 2 replicates of 10 weeks."""
    return TINY


@pytest.fixture
def write_spec(tmp_path: Path) -> WriteSpec:
    """Write spec text (dedented) to ``tmp_path/<filename>`` and return the path."""

    def write(text: str = TINY, filename: str = "spec.toml") -> Path:
        path = tmp_path / filename
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    return write
