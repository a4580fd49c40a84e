"""``cxo-sim plot RESULTS_DIR``: figures, ``summary.csv`` and ``runs.csv`` of a results folder.

Covered by ``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim plot`` and its options to the sub-commands."""
    parser = sub.add_parser("plot", help="figures from a results folder")
    parser.add_argument("results", help="results folder")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """``cxo-sim plot RESULTS_DIR``: write figures and ``summary.csv``, print what was written."""
    from cxo_sim.analysis.plots import make_figures
    from cxo_sim.analysis.results import open_results
    from cxo_sim.analysis.summary import write_runs_csv, write_summary

    rs = open_results(args.results)
    figures = make_figures(rs)
    summary = write_summary(rs)
    runs = write_runs_csv(rs)
    for figure in figures:
        print(f"wrote {', '.join(str(p) for p in figure.paths)}  ({figure.title})")
    print(f"wrote {summary}")
    print(f"wrote {runs} (one row per run, for spreadsheets)")
