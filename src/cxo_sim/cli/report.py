"""``cxo-sim report RESULTS_DIR``: the figures and the self-contained HTML report.

Covered by ``tests/analysis/test_plots_report.py``.
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim report`` and its options to the sub-commands."""
    parser = sub.add_parser("report", help="self-contained HTML report of a results folder")
    parser.add_argument("results", help="results folder")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """``cxo-sim report RESULTS_DIR``: redraw figures, write report.html, say what was written."""
    from cxo_sim.analysis.report import write_report
    from cxo_sim.analysis.results import open_results

    rs = open_results(args.results)
    path = write_report(rs)
    print(f"wrote {rs.path / 'summary.csv'}")
    print(f"wrote {rs.path / 'runs.csv'} (one row per run, for spreadsheets)")
    print(f"wrote {rs.path / 'figures'}/ (PNG and SVG)")
    print(f"wrote {path}")
