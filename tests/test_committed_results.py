"""The committed results/ are what the experiment library produces.

Reruns the quickest experiment of the library from scratch and checks that its summary table
equals the committed one byte for byte; and that every experiment has its committed summary,
figures and report, with the raw runs small enough to keep in git. Regenerate everything with
``bash scripts/regenerate-results.sh``.
"""

from pathlib import Path

import pytest

from cxo_sim.analysis.results import open_results
from cxo_sim.analysis.summary import write_summary
from cxo_sim.experiments.runner import sweep

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))


def test_rerun_of_budget_ownership_equals_the_committed_summary(tmp_path):
    summary = sweep(
        ROOT / "experiments" / "budget-ownership.toml", out=tmp_path, workers=2, progress=False
    )
    written = write_summary(open_results(summary.folder))
    committed = ROOT / "results" / "budget-ownership" / "summary.csv"
    assert written.read_bytes() == committed.read_bytes()


@pytest.mark.parametrize("experiment", EXPERIMENTS, ids=lambda p: p.stem)
def test_every_experiment_has_committed_results(experiment):
    folder = ROOT / "results" / experiment.stem
    assert (folder / "summary.csv").stat().st_size > 0
    assert (folder / "manifest.json").is_file()
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "<img" in report and "data:image/png;base64," in report
    assert list((folder / "figures").glob("*.png")), "no figures"
    raw = [p for sub in ("runs", "timeseries") for p in (folder / sub).glob("*") if p.is_file()]
    raw_size = sum(p.stat().st_size for p in raw)
    assert raw_size < 3_000_000, f"{folder} holds {raw_size / 1e6:.1f} MB of raw runs"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 20_000_000, f"{folder} holds {size / 1e6:.1f} MB"
