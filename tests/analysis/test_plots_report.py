import re
from types import SimpleNamespace

import pandas as pd
import pytest

from cxo_sim.analysis.results import open_results
from cxo_sim.analysis.summary import summary_table
from cxo_sim.plots import plot_command
from cxo_sim.report import report_command


def figure_files(folder):
    return sorted(p.name for p in (folder / "figures").iterdir())


def test_scenario_figures_fit_the_design_and_are_deterministic(practices_results, capsys):
    plot_command(SimpleNamespace(results=str(practices_results)))
    names = figure_files(practices_results)
    for stem in ("by-scenario", "practice-effects", "practice-matrix", "tradeoffs", "series"):
        assert f"{stem}.png" in names and f"{stem}.svg" in names
    first = {n: (practices_results / "figures" / n).read_bytes() for n in names}
    summary = (practices_results / "summary.csv").read_bytes()
    plot_command(SimpleNamespace(results=str(practices_results)))
    again = {n: (practices_results / "figures" / n).read_bytes() for n in names}
    assert first == again
    assert (practices_results / "summary.csv").read_bytes() == summary
    assert "wrote" in capsys.readouterr().out


def test_grid_figures_include_levels_heatmaps_and_tradeoffs(grid_results):
    plot_command(SimpleNamespace(results=str(grid_results)))
    names = figure_files(grid_results)
    assert "by-cio_risk.png" in names
    assert "heatmap-budget_owner-cio_risk.png" in names
    assert "tradeoffs.svg" in names
    svg = (grid_results / "figures" / "heatmap-budget_owner-cio_risk.svg").read_text()
    assert "How do budget_owner and cio_risk together shape" in svg
    assert "8 replications per configuration" in svg


def test_summary_has_n_means_and_ci_half_widths(grid_results):
    table = summary_table(open_results(grid_results))
    assert len(table) == 12
    assert list(table.columns[:6]) == [
        "point",
        "scenario",
        "budget_owner",
        "cio_risk",
        "cmo_speed",
        "n",
    ]
    row = table.iloc[0]
    runs = open_results(grid_results).runs
    velocity = runs.loc[runs["point"] == 0, "campaign_velocity"]
    assert row["n"] == 8
    assert row["campaign_velocity_mean"] == pytest.approx(velocity.mean())
    assert row["campaign_velocity_ci95"] == pytest.approx(
        2.364624 * velocity.std() / 8**0.5, rel=1e-5
    )


def test_report_is_one_offline_file(practices_results, capsys):
    report_command(SimpleNamespace(results=str(practices_results)))
    page = (practices_results / "report.html").read_text()
    assert "What does each collaboration practice buy and cost?" in page
    for section in ("Set-up", "Findings", "Figures", "Teaching notes", "Discussion questions"):
        assert f">{section}<" in page
    assert "data:image/png;base64," in page
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert "//" not in text
    assert not re.search(r'(src|href)="(?!data:)', page)
    assert "redundant_tools lower by" in page
    assert "report.html" in capsys.readouterr().out
    summary = pd.read_csv(practices_results / "summary.csv")
    assert list(summary["scenario"]) == ["baseline", "meetings", "liaison", "pilot_first"]


def test_lhs_report(lhs_results):
    report_command(SimpleNamespace(results=str(lhs_results)))
    page = (lhs_results / "report.html").read_text()
    assert "rank correlation" in page
    assert "by-cio_risk" in page
