"""The lesson pack (``cxo-sim lesson``): worksheet, buys/costs grid, debrief from results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxo_sim.analysis.effects import findings
from cxo_sim.analysis.lesson import explain_sentences, grid, lesson_page
from cxo_sim.analysis.numbers import signed
from cxo_sim.analysis.results import open_results
from cxo_sim.cli import main
from cxo_sim.presets import preset
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


# The experiments whose lesson packs are committed in docs/teaching/ (regenerate-results.sh
# makes them).
TAUGHT = (
    "budget-ownership",
    "practices",
    "meeting-cadence",
    "combined-role",
    "data-governance",
    "risk-vs-urgency",
)


@pytest.mark.parametrize("name", TAUGHT)
def test_the_committed_lesson_pack_matches_the_committed_results(name, tmp_path, capsys):
    results = str(ROOT / "results" / name)
    argv = ["lesson", results, "--out", str(tmp_path), "--odd", str(ROOT / "docs" / "ODD.md")]
    assert main(argv) == 0
    made = (tmp_path / f"{name}.html").read_text()
    committed = (ROOT / "docs" / "teaching" / f"{name}.html").read_text()
    assert made == committed, f"docs/teaching/{name}.html is stale: rerun cxo-sim lesson"
    assert "wrote" in capsys.readouterr().out


def test_every_committed_lesson_pack_is_held_to_its_results():
    assert sorted(p.stem for p in (ROOT / "docs" / "teaching").glob("*.html")) == sorted(TAUGHT)
    script = (ROOT / "scripts" / "regenerate-results.sh").read_text()
    assert all(f"results/{name}" in script.split('"$CXO" lesson', 1)[1] for name in TAUGHT)


def test_a_missing_results_folder_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["lesson", str(tmp_path / "nope"), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no such results folder" in err and len(err.strip().splitlines()) == 1
