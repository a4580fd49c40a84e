import html
import re
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from cxo_sim.analysis import plots
from cxo_sim.analysis.answers import answer_sentences
from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.importance import adjusted_eta_squared, importance, most_important
from cxo_sim.analysis.results import open_results
from cxo_sim.analysis.sensitivity import nonnegative_errors
from cxo_sim.analysis.summary import summary_table, write_runs_csv
from cxo_sim.cli.plot import command as plot_command
from cxo_sim.cli.report import command as report_command


def figure_files(folder):
    return sorted(p.name for p in (folder / "figures").iterdir())


def test_scenario_figures_fit_the_design_and_are_deterministic(practices_results, capsys):
    plot_command(SimpleNamespace(results=str(practices_results)))
    names = figure_files(practices_results)
    for stem in ("by-scenario", "practice-effects", "practice-matrix", "tradeoffs", "series"):
        assert f"{stem}.png" in names and f"{stem}.svg" in names
    first = {n: (practices_results / "figures" / n).read_bytes() for n in names}
    for name in names:  # issue 21: shown unshrunk in a report at 1024x768
        if name.endswith(".png"):
            assert Image.open(practices_results / "figures" / name).size[0] <= 990, name
    assert (
        len(
            plots.figure_outcomes(
                open_results(practices_results), findings(open_results(practices_results))
            )
        )
        <= plots.MAX_PANELS
    )
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
    assert "How do budget owner and CIO risk together shape" in svg
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
    assert "redundant_tools lower, -3" in page
    out = capsys.readouterr().out
    assert "report.html" in out and "runs.csv" in out
    assert (practices_results / "runs.csv").is_file()
    summary = pd.read_csv(practices_results / "summary.csv")
    assert list(summary["scenario"]) == ["baseline", "meetings", "liaison", "pilot_first"]


def test_findings_say_how_many_clear_changes_chance_alone_would_make(practices_results):
    report_command(SimpleNamespace(results=str(practices_results)))
    page = (practices_results / "report.html").read_text()
    rs = open_results(practices_results)
    comparisons = len(findings(rs))
    assert f"With {comparisons} comparisons at 95%, about " in page


def test_lhs_report(lhs_results):
    report_command(SimpleNamespace(results=str(lhs_results)))
    page = (lhs_results / "report.html").read_text()
    assert "rank correlation" in page
    assert "by-cio_risk" in page


def test_report_opens_with_the_answer_in_natural_units(practices_results):
    """Item 10: three to five sentences answer the question before any table."""
    rs = open_results(practices_results)
    sentences = answer_sentences(rs, findings(rs))
    assert 3 <= len(sentences) <= 5
    answer = " ".join(sentences)
    assert "meetings, against baseline" in answer and "liaison, against baseline" in answer
    assert "k$" in answer and "tools" in answer, "natural units, not effect sizes"
    assert "pilot_first" not in answer, "an arm that changes nothing is not an answer"
    report_command(SimpleNamespace(results=str(practices_results)))
    page = (practices_results / "report.html").read_text()
    assert page.index('class="answer"') < page.index("<table")
    assert html.escape(sentences[1]) in page


def test_the_answer_gives_each_arm_its_clearest_gain_and_cost(practices_results):
    """Meetings cut redundant tools and cost 50 k$ in every run: the answer names both."""
    rs = open_results(practices_results)
    sentences = answer_sentences(rs, findings(rs))
    (meetings,) = [s for s in sentences if s.startswith("meetings, against baseline")]
    assert "its clearest gain is redundant_tools" in meetings
    assert "its clearest cost is coordination_cost +50 k$ in every run" in meetings


def test_outcomes_that_hold_by_construction_are_marked_not_headlined(combined_results):
    folder = combined_results
    rs = open_results(folder)
    answer = " ".join(answer_sentences(rs, findings(rs)))
    assert "one executive, against two executives: its clearest gain is campaign_velocity" in answer
    assert "conflicts" not in answer.split("Not headlined")[0]
    assert "hold by the model's construction: conflicts under one executive." in answer


def test_answer_when_nothing_changes_says_so(flat_results):
    rs = open_results(flat_results)
    sentences = answer_sentences(rs, findings(rs))
    assert len(sentences) == 3 and "No comparison shows a clear change" in sentences[1]


def test_headlines_never_rest_on_a_fixed_difference_or_a_zero_baseline(practices_results):
    """Item 11: the fixed 50 k$ of meetings is no 'largest gain' and no infinite g."""
    report_command(SimpleNamespace(results=str(practices_results)))
    page = (practices_results / "report.html").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    assert not re.search(r"\binf\b", text), "no infinite effect size anywhere"
    notice = text[text.index(">Things to notice<") : text.index(">Things to try<")]
    for line in re.findall(r"<li>(Largest [^<]*)</li>", notice):
        assert "in every run" not in line
    assert "Fixed differences, the same (or nearly) in every run" in notice
    assert "coordination_cost higher, +50 k$ in every run" in notice
    row = re.search(
        r"<td>meetings</td><td>baseline</td><td><code>coordination_cost</code></td>(.*?)</tr>",
        text,
    ).group(1)
    assert "+50 k$ in every run" in row and ">n/a<" in row and ">fixed<" in row
    assert not re.search(r"\b1 (weeks|breaches|tools)\b", text)


def test_runs_csv_sits_beside_the_parquet_for_spreadsheets(practices_results):
    """Item 14: one row per run, every column of the runs table, reproducible."""
    rs = open_results(practices_results)
    path = write_runs_csv(rs)
    assert path == practices_results / "runs.csv"
    table = pd.read_csv(path)
    assert len(table) == len(rs.runs) and list(table.columns) == list(rs.runs.columns)
    assert table["run_id"].is_monotonic_increasing
    first = path.read_bytes()
    assert write_runs_csv(open_results(practices_results)).read_bytes() == first


def test_which_matters_most_is_ranked_over_configurations(grid_results):
    """Item 12: a design of three factors gets a ranking that finds the planted levers."""
    rs = open_results(grid_results)
    table = importance(rs)
    top = most_important(table).set_index("outcome")["factor"]
    assert top["shadow_spend_share"] == "budget_owner"
    assert top["campaign_velocity"] == "cmo_speed"
    assert (table["configurations"] == rs.runs["point"].nunique()).all()
    velocity = table[table["outcome"] == "campaign_velocity"].set_index("factor")
    assert not velocity.loc["budget_owner", "clear"], "an unrelated factor stays below noise"
    assert importance(rs).equals(table), "the permutation noise level is reproducible"
    report_command(SimpleNamespace(results=str(grid_results)))
    page = (grid_results / "report.html").read_text()
    assert ">Which matters most<" in page
    answer = page[page.index('class="answer"') : page.index("</p>", page.index('class="answer"'))]
    assert "Which matters most" in answer and "budget_owner leads" in answer


def test_small_designs_get_no_ranking(practices_results):
    report_command(SimpleNamespace(results=str(practices_results)))
    assert ">Which matters most<" not in (practices_results / "report.html").read_text()


def test_importance_score_is_the_adjusted_share_explained():
    groups = np.array([0, 0, 1, 1, 2, 2])
    exact = np.array([[1.0], [1.0], [2.0], [2.0], [3.0], [3.0]])
    assert adjusted_eta_squared(groups, exact)[0] == pytest.approx(1.0)
    flat = np.array([[5.0]] * 6)
    assert adjusted_eta_squared(groups, flat)[0] == 0.0
    unrelated = np.array([[1.0], [3.0], [1.0], [3.0], [1.0], [3.0]])
    assert adjusted_eta_squared(groups, unrelated)[0] == 0.0, "clipped at zero, not negative"


def test_nominal_levels_are_points_not_a_line(grid_results, monkeypatch):
    """Item 13: a nominal factor's levels are separate points; numeric levels may be joined."""
    drawn = {}

    def keep(fig, folder, stem, title, caption):
        drawn[stem] = fig
        return None

    monkeypatch.setattr(plots, "save", keep)
    rs = open_results(grid_results)
    outcomes = ["campaign_velocity"]
    with plt.rc_context(plots.STYLE):
        plots.outcomes_by_level(rs, "budget_owner", outcomes, grid_results)
        plots.outcomes_by_level(rs, "cio_risk", outcomes, grid_results)
    styles = {
        stem: {line.get_linestyle() for ax in fig.axes for line in ax.lines}
        for stem, fig in drawn.items()
    }
    assert styles["by-budget_owner"] == {"None"}
    assert "-" in styles["by-cio_risk"]
    plt.close("all")


def test_heatmaps_state_their_noise_and_titles_are_not_clipped(grid_results):
    plot_command(SimpleNamespace(results=str(grid_results)))
    svg = (grid_results / "figures" / "heatmap-budget_owner-cio_risk.svg").read_text()
    assert "±" in svg and "95% CI half-width" in svg
    fig, _ = plots.panel_grid(1)
    plots.add_titles(fig, "How does a very long question about many things " * 3, "subtitle")
    fig.canvas.draw()
    box = fig._suptitle.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.x1, "the title fits the figure's width"
    plt.close(fig)


def test_morris_and_sobol_error_bars_never_reach_below_zero():
    errors = nonnegative_errors(pd.Series([0.1, 2.0, 0.0]), pd.Series([0.3, 0.5, 0.2]))
    assert errors.tolist() == [[0.1, 0.5, 0.0], [0.3, 0.5, 0.2]]


def test_reports_write_shares_as_percentages_and_differences_in_points(grid_results):
    """Issue 21: as `cxo-sim run`, the app's charts and Compare: "36.5 %", "-40.0 points"."""
    report_command(SimpleNamespace(results=str(grid_results)))
    page = (grid_results / "report.html").read_text()
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", page)
    rows = re.findall(r"<tr><td>budget_owner = cmo</td>.*?</tr>", text)
    row = next(r for r in rows if "<code>shadow_spend_share</code>" in r)
    assert re.search(r"-\d\d\.\d points \(-\d\d\.\d to -\d\d\.\d\)", row), row
    assert "shadow_spend_share lower, -39.1 points (95% CI" in row
    assert not re.search(r"shadow_spend_share[^<]*[-+ ]0\.\d\d", text), "no bare fraction"
    svg = (grid_results / "figures" / "heatmap-budget_owner-cio_risk.svg").read_text()
    assert re.search(r"[1-9]\d\.\d %", svg), "heatmap cells in percent"
    assert "% of martech spend" in svg


def test_figures_name_outcomes_parameters_and_arms_in_words():
    """Issue 21: human labels, not snake_case, in the report's figures."""
    from cxo_sim.analysis.results import outcome_label, parameter_label, unit_label, words

    assert words("budget_owner = cmo") == "budget owner = CMO" and words("cio_risk") == "CIO risk"
    assert outcome_label("median_lead_time") == "Median lead time"
    assert parameter_label("meeting_interval") == "meeting interval (weeks)"
    assert unit_label("shadow_spend_share") == "% of martech spend"
    assert unit_label("shadow_spend_share", difference=True) == "percentage points"
