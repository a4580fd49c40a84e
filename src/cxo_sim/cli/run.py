"""``cxo-sim run``: one model run, its outcome table, its per-step series and a figure.

Covered by ``tests/test_cli_run.py``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from cxo_sim.errors import UserError
from cxo_sim.experiments.safe_files import write_output
from cxo_sim.experiments.single_run import WholeModel, run_model
from cxo_sim.experiments.spec import MAX_STEPS
from cxo_sim.model import CxOModel
from cxo_sim.outcomes import OUTCOMES
from cxo_sim.params import parse_assignment
from cxo_sim.presets import preset

# The main series of the run figure: (panel title, [(series, label)], unit).
FIGURE_PANELS = [
    (
        "Tools",
        [
            ("tool_count", "all tools"),
            ("shadow_tools", "shadow"),
            ("unreviewed_tools", "known, unreviewed"),
        ],
        "tools",
    ),
    (
        "Security",
        [("breaches", "breaches"), ("compliance_incidents", "compliance incidents")],
        "events (cumulative)",
    ),
    ("Campaigns", [("campaign_velocity", "per quarter, run so far")], "campaigns/quarter"),
    ("Relationship", [("trust", "trust")], "trust [0, 1]"),
    (
        "Conflict",
        [("conflicts", "conflicts"), ("escalations", "escalations"), ("bypasses", "bypasses")],
        "events (cumulative)",
    ),
    (
        "Spend",
        [("tech_spend", "technology spend"), ("coordination_cost", "coordination")],
        "k$ (cumulative)",
    ),
]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim run`` and its options to the sub-commands."""
    parser = sub.add_parser("run", help="run one model and print its outcomes")
    parser.add_argument(
        "--preset", default="old_world", help="base parameter set (default old_world)"
    )
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter; repeatable",
    )
    parser.add_argument("--steps", type=int, default=156, help="weeks to simulate (default 156)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", default=None, help="folder for the per-step series and figure")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """Run the model as the command line asks and report it."""
    if not 1 <= args.steps <= MAX_STEPS:
        raise UserError(
            f"--steps must be 1 to {MAX_STEPS:_} weeks (100 years), as in experiment files; "
            f"got {args.steps}"
        )
    if args.seed < 0:
        raise UserError(f"--seed must be a non-negative integer, got {args.seed}")
    try:
        params = preset(args.preset)
        for assignment in args.sets:
            key, value = parse_assignment(assignment)
            params[key] = value
    except ValueError as exc:
        raise UserError(str(exc)) from None
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")

    started = time.perf_counter()
    model = run_model(params, steps=args.steps, seed=args.seed, record=WholeModel())
    elapsed = time.perf_counter() - started

    changed = ", ".join(args.sets) if args.sets else "no changes"
    print(
        f"cxo-sim run: preset {args.preset} ({changed}), seed {args.seed}, "
        f"{args.steps} weeks in {elapsed:.2f} s"
    )
    print(format_outcomes(model.outcomes()))
    if out is not None:
        written = write_run(model, out)
        for path in written:
            print(f"wrote {path}")


def format_outcomes(values: dict[str, float]) -> str:
    """A readable two-column table of outcomes with their units."""
    lines = []
    for name, value in values.items():
        unit = OUTCOMES[name].unit
        if name.endswith("_share") or name == "utilization":
            shown, unit = f"{100 * value:,.1f}", "% (share)"
        else:
            shown = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
        lines.append(f"  {name:<22} {shown:>14}  {unit}")
    return "\n".join(lines)


def write_run(model: CxOModel, out: Path) -> list[Path]:
    """Write the per-step series (Parquet), the events (text) and a figure (PNG) to ``out``."""
    series = model.datacollector.get_model_vars_dataframe()
    series.index.name = "week"
    events = "\n".join(e.text for e in model.events) + "\n"
    # Each file is written whole, in ``out`` itself: a link in a file's place is refused.
    return [
        write_output(
            out / "series.parquet",
            lambda temp: series.reset_index().to_parquet(temp, index=False),
            root=out,
        ),
        write_output(
            out / "events.txt", lambda temp: temp.write_text(events, encoding="utf-8"), root=out
        ),
        write_output(
            out / "run.png", lambda temp: plot_series(series, temp, title=_title(model)), root=out
        ),
    ]


def _title(model: CxOModel) -> str:
    rights = (
        "combined CIO/CMO role" if model.combined_role else f"{model.budget_owner} owns martech"
    )
    return f"One run, {rights}, seed {model._seed}"


def plot_series(series, path: Path, title: str) -> None:
    """Six panels of the main per-step series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    for ax, (panel, lines, unit) in zip(axes.flat, FIGURE_PANELS, strict=True):
        for column, label in lines:
            ax.plot(series.index, series[column], label=label)
        ax.set_title(panel)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        if len(lines) > 1:
            ax.legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("week")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
