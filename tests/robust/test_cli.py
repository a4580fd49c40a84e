"""`cxo-sim robust SPEC.toml` end to end: runs, measures, a report that opens with the answer."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from cxo_sim.cli import main
from cxo_sim.robust.evaluation import evaluate_designs
from cxo_sim.robust.spec import load_spec


def test_the_command_runs_and_its_report_opens_with_the_answer(write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["robust", str(write_spec()), "--out", str(out), "--workers", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "48 runs in" in printed and "48 of 48 runs stored" in printed
    assert re.search(
        r"Across 6 plausible worlds, '.+' has the lowest 90th-percentile regret on "
        r"net_value",
        printed,
    )
    folder = out / "tiny"
    page = (folder / "report.html").read_text()
    body = page.split('<p class="answer">', 1)[1]
    assert body.startswith("Across 6 plausible worlds")
    assert (
        page.index("The robust front")
        < page.index("Regret, satisficing")
        < page.index("When the leading designs fail")
    )
    assert "data:image/png;base64," in page and 'src="http' not in page
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["statistic"]) >= {"mean_regret", "p90_regret", "max_regret", "satisficing"}
    assert (folder / "figures" / "regret.png").is_file()
    assert (folder / "figures" / "failure-1.svg").is_file()
    assert "A classification tree (CART) finds" in page


def test_a_changed_spec_is_refused_until_fresh(write_spec, tiny, tmp_path, capsys):
    out = str(tmp_path / "out")
    path = write_spec(tiny.replace("worlds = 6", "worlds = 2"))
    with ThreadPoolExecutor(2) as executor:
        evaluate_designs(load_spec(path), out=out, executor=executor, progress=False)
    path = write_spec(tiny.replace("worlds = 6", "worlds = 3"))
    assert main(["robust", str(path), "--out", out, "--quiet", "--workers", "1"]) == 2
    assert "--fresh" in capsys.readouterr().err


def test_the_report_rechecks_the_box_and_the_trees_region_and_says_both(
    write_spec, tmp_path, monkeypatch
):
    import cxo_sim.robust.report as report
    from cxo_sim.analysis.discovery import Restriction, Rule
    from cxo_sim.robust.failure import Recheck
    from cxo_sim.robust.tree import TreeFailure

    spec = load_spec(write_spec())
    with ThreadPoolExecutor(2) as executor:
        summary = evaluate_designs(spec, out=tmp_path, executor=executor, progress=False)
    region = Rule((Restriction("n_marketers", low=10.5, strict=True),), 0.9, 0.8, 5)

    def tree(design, worlds, bad, meaning):
        return TreeFailure(design, bad, meaning, [region], ["n_marketers"])

    given = []

    def recheck(failures):
        given.extend(failures)
        return [Recheck(f.design, 4, 3, 4, 0, 0.8, f.method) for f in failures if f.rule]

    monkeypatch.setattr(report, "tree_failure", tree)
    written = report.write_report(summary.folder, spec, None, recheck)
    assert [f.method for f in given].count("tree") == 3
    assert all(f.rule is region for f in given if f.method == "tree")
    page = (summary.folder / "report.html").read_text()
    assert page.count("inside the tree&#x27;s region (found: 80%)") == 3
    assert {r.method for r in written.rechecks} == {"tree"} | (
        {"box"} if any(f.rule for f in written.failures) else set()
    )
