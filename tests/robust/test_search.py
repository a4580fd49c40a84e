"""The evolutionary search over the levers: seeded, converging, its front evaluated in full."""

from __future__ import annotations

import numpy as np

from cxo_sim.robust.search import decode, search_levers
from cxo_sim.robust.spec import load_spec

SEARCHED = """
name = "searched"
steps = 8
replications = 1
seed = 4
[levers]
budget_owner = ["cio", "cmo", "shared"]
liaison = [false, true]
alignment = { min = 0.0, max = 1.0 }
meeting_interval = { min = 0, max = 8 }
[uncertainties]
worlds = 4
[uncertainties.context]
n_marketers = { min = 8, max = 30 }
[[objectives]]
outcome = "net_value"
[[objectives]]
outcome = "tech_spend"
[search]
population = 6
generations = 3
worlds = 3
"""


def test_levers_decode_by_equal_shares_and_ranges_continuously(write_spec):
    spec = load_spec(write_spec(SEARCHED))
    assert spec.designs == []  # ranges: the search finds the designs
    levers = decode(spec, np.array([0.5, 0.99, 0.25, 1.0]))
    assert levers == {
        "budget_owner": "cmo",
        "liaison": True,
        "alignment": 0.25,
        "meeting_interval": 8,
    }


def test_the_search_is_seeded_and_reports_hypervolume_each_generation(write_spec):
    spec = load_spec(write_spec(SEARCHED))
    found = search_levers(spec, workers=1, progress=False)
    assert list(found.history["generation"]) == [0, 1, 2]
    assert found.history["hypervolume"].is_monotonic_increasing
    assert found.designs and all(label.startswith("search ") for label, _ in found.designs)
    assert found.evaluated == len(found.candidates)
    again = search_levers(spec, workers=1, progress=False)
    assert again.candidates.equals(found.candidates)


def test_a_candidate_evaluated_before_is_not_run_again_and_a_cut_search_resumes(
    write_spec, tmp_path, monkeypatch
):
    import cxo_sim.robust.search as search

    spec = load_spec(write_spec(SEARCHED))
    cache = tmp_path / ".searched.search.jsonl"
    found = search_levers(spec, workers=1, progress=False, cache=cache)
    lines = cache.read_text().splitlines()
    assert found.reused == 0 and len(lines) == found.evaluated

    # Run again: every candidate comes from the file, none is run.
    def no_runs(*args, **kwargs):
        raise AssertionError("a candidate evaluated before was run again")

    with monkeypatch.context() as patch:
        patch.setattr(search, "run_in_memory", no_runs)
        again = search_levers(spec, workers=1, progress=False, cache=cache)
    assert again.reused == found.evaluated
    assert again.candidates.equals(found.candidates) and again.history.equals(found.history)

    # Killed part-way (the last line cut in the middle): only the missing candidates are run,
    # and the search ends where the uninterrupted one did.
    kept = len(lines) // 2
    cache.write_text("\n".join(lines[:kept]) + "\n" + lines[kept][: len(lines[kept]) // 2])
    resumed = search_levers(spec, workers=1, progress=False, cache=cache)
    assert resumed.reused == kept
    assert resumed.candidates.equals(found.candidates)
    assert len(cache.read_text().splitlines()) == found.evaluated

    # Other worlds (here, other weeks per run) make other evaluations: nothing is reused.
    longer = load_spec(write_spec(SEARCHED.replace("steps = 8", "steps = 9"), "longer.toml"))
    assert search_levers(longer, workers=1, progress=False, cache=cache).reused == 0
    assert search_levers(spec, workers=1, progress=False, cache=cache, fresh=True).reused == 0


def test_the_command_keeps_the_search_beside_the_results_and_reuses_it(
    write_spec, tmp_path, capsys
):
    from cxo_sim.cli.main import main

    path = write_spec(SEARCHED)
    out = tmp_path / "out"
    assert main(["robust", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    first = capsys.readouterr().out
    assert "evaluated before" not in first
    assert (out / ".searched.search.jsonl").is_file()
    assert (out / "searched" / "search" / "candidates.csv").is_file()
    assert main(["robust", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    second = capsys.readouterr().out
    assert "evaluated before)" in second and "0 runs in" in second
