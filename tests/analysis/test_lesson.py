"""The lesson pack (``cxo-sim lesson``): worksheet, buys/costs grid, debrief from results."""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

import pytest

from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.importance import importance, most_important
from cxo_sim.analysis.lesson import explain_sentences, grid, lesson_page
from cxo_sim.analysis.lesson_shapes import lhs_page
from cxo_sim.analysis.numbers import signed
from cxo_sim.analysis.results import open_results
from cxo_sim.cli import main
from cxo_sim.experiments.reading import load_manifest
from cxo_sim.presets import preset
from cxo_sim.robust.lesson import is_robust, robust_page
from cxo_sim.validation.explain import lever_for

ROOT = Path(__file__).parents[2]


def test_each_arm_is_named_by_the_lever_explain_knows_it_by():
    old = preset("old_world")
    assert lever_for({**old, "liaison": True}) == "liaison"
    assert lever_for(preset("new_world")) == "new_world"
    assert lever_for({**old, "budget_owner": "cmo"}) == "budget_owner=cmo"
    assert lever_for(old) is None
    assert lever_for({**old, "liaison": True, "n_engineers": 9}) is None


def test_sentences_come_from_the_odd_section_against_old_world_only():
    odd = (
        "```\nliaison cuts x (1) mainly through y.\n```\n"
        "The sentence of each lever:\n\n```\nliaison raises z (2).\nshared cuts w (3).\n```\n"
    )
    assert explain_sentences(odd) == {
        "liaison": "liaison raises z (2).",
        "shared": "shared cuts w (3).",
    }
    assert explain_sentences("no such section") == {}


def test_the_debrief_gives_the_results_own_numbers():
    rs = open_results(ROOT / "results" / "budget-ownership", series=False)
    table = findings(rs)
    answers = grid(rs, table)
    row = table[(table["arm"] == "budget_owner = cmo") & (table["outcome"] == "tech_spend")].iloc[0]
    assert row["verdict"] == "worse"
    assert any(
        cell.startswith(f"tech_spend {signed(row['estimate'])} k$")
        for cell in answers["budget_owner = cmo"]["costs"]
    )
    shadow = [
        c for c in answers["budget_owner = cmo"]["buys"] if c.startswith("shadow_spend_share")
    ]
    assert shadow and shadow[0].endswith("(by the model's construction)")
    page = lesson_page(rs, {"budget_owner = shared": ("cxo-sim explain shared", "shared cuts w.")})
    assert page.count("<tr><td>budget_owner = cmo <span class='note'>vs budget_owner = cio") == 1
    assert "<code>cxo-sim explain shared</code><br>shared cuts w." in page
    assert 'class="part"' in page or "class='part'" in page
    assert not re.search(r'(src|href)="(?!data:)', page), "self-contained"


# Every committed experiment's lesson pack in docs/teaching/, by its results folder
# (regenerate-results.sh makes them).
TAUGHT = {
    "budget-ownership": "budget-ownership",
    "practices": "practices",
    "meeting-cadence": "meeting-cadence",
    "combined-role": "combined-role",
    "data-governance": "data-governance",
    "risk-vs-urgency": "risk-vs-urgency",
    "bundle": "bundle",
    "practices-posterior": "practices-posterior",
    "lhs-preferences": "lhs-preferences",
    "robust-budget-ownership": "robust/budget-ownership",
}


@pytest.mark.parametrize("name", TAUGHT)
def test_the_committed_lesson_pack_matches_the_committed_results(name, tmp_path, capsys):
    results = str(ROOT / "results" / TAUGHT[name])
    argv = ["lesson", results, "--out", str(tmp_path), "--odd", str(ROOT / "docs" / "ODD.md")]
    assert main(argv) == 0
    made = (tmp_path / f"{name}.html").read_text()
    committed = (ROOT / "docs" / "teaching" / f"{name}.html").read_text()
    assert made == committed, f"docs/teaching/{name}.html is stale: rerun cxo-sim lesson"
    assert "wrote" in capsys.readouterr().out


def test_every_committed_experiment_has_a_lesson_pack_held_to_its_results():
    assert sorted(p.stem for p in (ROOT / "docs" / "teaching").glob("*.html")) == sorted(TAUGHT)
    experiments = {
        tomllib.loads(p.read_text())["name"] for p in (ROOT / "experiments").rglob("*.toml")
    } - {"example-firm"}
    results = {Path(folder).name for folder in TAUGHT.values()}
    assert experiments == results, "an experiment without a lesson pack, or a pack without one"
    script = (ROOT / "scripts" / "regenerate-results.sh").read_text()
    built = script.split('"$CXO" lesson', 1)[1]
    assert all(f"results/{folder}" in built for folder in TAUGHT.values())
    # Built after the results they read: the robust example is regenerated before its pack.
    assert script.index('"$CXO" lesson') > script.index('"$CXO" robust')


def test_a_pack_names_the_experiment_file_it_was_run_from():
    page = (ROOT / "docs" / "teaching" / "practices-posterior.html").read_text()
    assert "cxo-sim sweep experiments/uncertainty/practices-posterior.toml" in page


def test_an_lhs_sweep_gets_a_ranking_pack_with_the_reports_scores_and_no_grid():
    rs = open_results(ROOT / "results" / "lhs-preferences", series=False)
    page = lhs_page(rs)
    assert "which lever matters most" in page.lower()
    assert "no buys/costs grid" in page
    assert "<th>buys</th>" not in page
    top = most_important(importance(rs)).set_index("outcome")
    for outcome in ("campaign_velocity", "median_lead_time", "shadow_spend_share"):
        row = top.loc[outcome]
        assert f"<b>{row['factor']}</b> {row['score']:.0%}" in page, outcome


def test_a_robust_folder_gets_a_regret_pack_with_the_reports_answer(tmp_path):
    folder = ROOT / "results" / "robust" / "budget-ownership"
    manifest = load_manifest(folder)
    assert is_robust(manifest)
    assert not is_robust(load_manifest(ROOT / "results" / "budget-ownership"))
    page = robust_page(folder, manifest)
    report = (folder / "report.html").read_text()
    answer = re.search(r'<p class="answer">(.*?)</p>', report).group(1)
    first = html.unescape(answer).split(". ")[0]
    assert first in html.unescape(page), "the pack opens its debrief with the report's answer"
    assert "no buys/costs grid" in page and "<th>buys</th>" not in page
    assert "by the model&#x27;s construction" in page  # shadow share under the CMO's rights
    assert page.count("<tr><td>budget_owner=") == 2 * 12  # worksheet and debrief, 12 designs


def test_a_missing_results_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["lesson", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no such results folder" in err and len(err.strip().splitlines()) == 1
