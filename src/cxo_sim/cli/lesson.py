"""``cxo-sim lesson RESULTS...``: a printable lesson pack per results folder.

The page (:mod:`cxo_sim.analysis.lesson`) holds a worksheet, a buys/costs grid and a debrief with
the model's answers; here each arm is matched with the ``cxo-sim explain`` lever it is and the
sentence docs/ODD.md 9.10 prints for it. A Latin-hypercube sweep and a robust-design folder get
the pack that fits their shape (:mod:`cxo_sim.analysis.lesson_shapes`). Covered by
``tests/analysis/test_lesson.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cxo_sim.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim lesson`` and its options to the sub-commands."""
    parser = sub.add_parser(
        "lesson", help="printable lesson pack (worksheet, buys/costs grid, debrief) of results"
    )
    parser.add_argument("results", nargs="+", help="results folders")
    parser.add_argument(
        "--out", default="docs/teaching", help="folder for the pages (default docs/teaching)"
    )
    parser.add_argument(
        "--odd",
        default=None,
        metavar="ODD.md",
        help="the ODD whose section 9.10 gives each lever's sentence (default: docs/ODD.md "
        "if it is there)",
    )
    parser.set_defaults(handler=command)


def arm_levers(rs) -> dict[str, str]:
    """Each arm's ``cxo-sim explain`` lever, where it is one setting change of old_world."""
    from cxo_sim.analysis.answers import arm_runs
    from cxo_sim.analysis.effects import findings
    from cxo_sim.presets import preset
    from cxo_sim.validation.explain import lever_for

    table = findings(rs)
    table = table[table["kind"] == "difference"]
    old = preset("old_world")
    out = {}
    for arm, reference in dict(zip(table["arm"], table["reference"], strict=False)).items():
        base = arm_runs(rs, reference)
        mine = arm_runs(rs, arm)
        if base.empty or mine.empty:
            continue
        at_old = all(base.iloc[0][k] == v for k, v in old.items() if k in base)
        settings = {k: mine.iloc[0][k] for k in old if k in mine}
        name = lever_for(settings) if at_old and mine[list(old)].nunique().max() <= 1 else None
        if name is not None:
            out[arm] = name
    return out


def command(args: argparse.Namespace) -> None:
    """Write ``<out>/<experiment>.html`` for each results folder."""
    from cxo_sim.analysis.lesson import explain_sentences, lesson_page
    from cxo_sim.analysis.lesson_shapes import lhs_page
    from cxo_sim.analysis.results import open_results
    from cxo_sim.experiments import safe_files
    from cxo_sim.experiments.reading import load_manifest
    from cxo_sim.robust.lesson import is_robust, robust_page

    odd = Path(args.odd) if args.odd is not None else Path("docs/ODD.md")
    sentences = {}
    if args.odd is not None or odd.is_file():
        try:
            sentences = explain_sentences(odd.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"{odd}: cannot read: {exc.strerror}") from None
    folder = Path(args.out)
    for results in args.results:
        manifest = load_manifest(results)
        name = manifest.get("name", Path(results).name)
        if is_robust(manifest):
            # Beside the factorial experiment of the same name: robust-<name>.html.
            page, name = robust_page(results, manifest), f"robust-{name}"
        else:
            rs = open_results(results, series=False)
            if rs.manifest.get("design", {}).get("sampling") == "lhs":
                page = lhs_page(rs)
            else:
                arms = {
                    arm: (f"cxo-sim explain {lever}", sentences.get(lever, ""))
                    for arm, lever in arm_levers(rs).items()
                }
                page = lesson_page(rs, arms)
        path = folder / f"{name}.html"
        safe_files.write_output(path, lambda temp, page=page: Path(temp).write_text(page))
        print(f"wrote {path}")
