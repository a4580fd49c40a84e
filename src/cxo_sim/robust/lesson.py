"""The lesson pack of a robust-design experiment (``cxo-sim lesson`` on a robust result).

Designs are judged across plausible worlds by their regret (the shortfall against the best
design in each world) and by the share of worlds where they meet every threshold, not by a
difference against one reference, so the worksheet of :mod:`cxo_sim.analysis.lesson` does not
fit. The pack asks students to rank the designs and guess where their favourite fails; its
debrief gives the report's answer, regret and satisficing with their intervals and the failure
boxes, computed as ``cxo-sim robust`` computes them. Covered by ``tests/analysis/test_lesson.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cxo_sim.analysis.answers import BY_DEFINITION
from cxo_sim.analysis.lesson import _e
from cxo_sim.analysis.lesson_shapes import pack_head
from cxo_sim.analysis.results import measure
from cxo_sim.robust.evaluation import read_outcomes
from cxo_sim.robust.failure import leading_failures
from cxo_sim.robust.measures import measure_designs
from cxo_sim.robust.report import _cell, answer_sentences
from cxo_sim.robust.spec import load_spec


def is_robust(manifest: dict) -> bool:
    """Whether a results folder's manifest is that of a robust-design experiment."""
    return isinstance(manifest.get("robust"), dict)


def robust_page(folder: str | Path, manifest: dict) -> str:
    """The lesson pack of a robust-design results folder: rank the designs, then read regret."""
    # The spec as it was run (kept in the manifest), so the numbers are the report's.
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / Path(manifest.get("experiment_file", "spec.toml")).name
        path.write_text(manifest["experiment_text"], encoding="utf-8")
        spec = load_spec(path)
    outcomes = read_outcomes(folder, [o.outcome for o in spec.objectives])
    rob = measure_designs(outcomes.designs, outcomes.values, spec.objectives, spec.seed)
    failures = leading_failures(
        list(rob.designs["design"]),
        outcomes.designs,
        outcomes.worlds,
        rob.regret,
        rob.acceptable,
        spec.objectives,
    )
    worlds = len(outcomes.worlds)
    # The report's answer; its rank-swap table is in the report, not here.
    answer = [
        a.replace("(below)", "(the report's table of rank swaps)")
        for a in answer_sentences(rob, failures, spec, worlds)
    ]
    objectives = {o.outcome for o in spec.objectives}
    construction = [
        f"Under {param} = {value}, {', '.join(sorted(objectives & set(held)))} holds by the "
        f"model's construction ({why}): designs with it meet that threshold in every world by "
        "construction, not by earning it."
        for param, value, held, why in BY_DEFINITION
        if param in spec.levers and objectives & set(held)
    ]
    headline = spec.objectives[0]
    thresholds = [o for o in spec.objectives if o.threshold is not None]
    acceptable = " and ".join(
        f"{o.outcome} {'at most' if o.direction == 'down' else 'at least'} {o.threshold:g}"
        for o in thresholds
    )
    experiment = manifest.get("experiment_file") or "SPEC.toml"
    # Where `cxo-sim robust` writes by default (the folder given may be anywhere).
    folder_name = f"results/robust/{spec.name}"
    reps = manifest["robust"]["replications_per_world"]
    designs = list(rob.designs["design"])
    blanks = "<td class='blank'></td>" * 3
    predict = "".join(
        f"<tr><td>{_e(d)}</td>{blanks}</tr>" for d in sorted(designs, key=str.casefold)
    )
    table = rob.table.set_index(["design", "objective", "statistic"])

    def cell(design: str, objective: str, statistic: str, share: bool = False) -> str:
        return _cell(table.loc[(design, objective, statistic)], share=share)

    satisficing = "satisficing" in rob.designs
    rows = "".join(
        f"<tr><td>{_e(d)}{' ★' if front else ''}</td>"
        f"<td>{cell(d, headline.outcome, 'p90_regret')}</td>"
        f"<td>{cell(d, headline.outcome, 'mean_regret')}</td>"
        + (f"<td>{cell(d, 'all', 'satisficing', share=True)}</td>" if satisficing else "")
        + "</tr>"
        for d, front in zip(rob.designs["design"], rob.designs["front"], strict=True)
    )
    unit = measure(headline.outcome).unit
    return (
        pack_head(
            manifest.get("question", spec.question),
            spec.name,
            f"its results ({len(designs)} designs in the same {worlds} plausible worlds, "
            f"{reps} runs each, {manifest.get('steps', '?')} weeks)",
        )
        + "<h2>Part 1. Worksheet</h2>"
        f"<p>This is a robust-design experiment: every design (a choice of "
        f"{_e(', '.join(spec.levers))}) runs in the same {worlds} plausible worlds, firms and "
        "behaviours the firm cannot rule out. A design is judged by its <b>regret</b> in each "
        f"world (how far its {_e(headline.outcome)} falls short of the best design's in that "
        "world) and by how often it is <b>acceptable</b>"
        + (f" ({_e(acceptable)})" if acceptable else "")
        + ", not by a difference against one reference, so this pack has no buys/costs grid.</p>"
        "<h3>1. Predict</h3><p>Before running anything: rank the designs you think best "
        f"(1 = smallest regret on {_e(headline.outcome)} in a bad world), mark those you expect "
        "to be acceptable in most worlds, and say in what kind of firm your favourite "
        "fails.</p>"
        "<table><tr><th>design</th><th>your rank</th><th>acceptable in most worlds?</th>"
        f"<th>fails when...</th></tr>{predict}</table>"
        "<h3>2. Run</h3><p>Run it (a few minutes on two cores) and open its report:</p>"
        f"<pre>cxo-sim robust {_e(experiment)} --workers 2\n"
        f"{_e(folder_name)}/report.html</pre>"
        "<h3>3. Compare</h3><p>Which design has the lowest 90th-percentile regret? Which is "
        "acceptable in the most worlds? Are they the same design? If not, which would you "
        "recommend to a firm that does not know its own numbers, and why?</p>"
        "<h3>4. Explain</h3><p>Read where the leading design fails (the report's <i>When the "
        "leading designs fail</i>). Pick one condition of the box (a firm size, a threat level, "
        "a behaviour), set it in the app's sidebar and compare two designs on the Compare tab: "
        "which mechanism makes the leading design fail there?</p>"
        "<div class='part'><h2>Part 2. Debrief (for the teacher)</h2>"
        "<h3>The model's answer</h3>"
        f"<p>{_e(' '.join(answer))}</p>"
        + "".join(f"<p class='note'>{_e(line)}</p>" for line in construction)
        + "<h3>Every design</h3>"
        f"<p>Regret on {_e(headline.outcome)}{_e(f' ({unit})' if unit else '')}: the "
        "90th percentile and the mean over the worlds"
        + (
            ", and the share of worlds where the design meets every threshold"
            if satisficing
            else ""
        )
        + "; best first; ★ on the robust front; brackets: 95% interval from a paired bootstrap "
        "over the replicates.</p>"
        "<table><tr><th>design</th><th>90th-percentile regret</th><th>mean regret</th>"
        + ("<th>acceptable (every threshold)</th>" if satisficing else "")
        + f"</tr>{rows}</table>"
        "<h3>Where the leading designs fail</h3><ul>"
        + "".join(f"<li>{_e(f.sentence())}</li>" for f in failures)
        + "</ul><p class='note'>A failure box is a description of the worlds sampled, not a "
        "law: <code>cxo-sim robust ... --recheck N</code> tests it on fresh worlds "
        "(docs/ROBUST.md).</p></div></body></html>"
    )
