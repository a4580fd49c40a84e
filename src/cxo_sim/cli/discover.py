"""``cxo-sim discover RESULTS_DIR``: the regions of the factors where an outcome is extreme (PRIM).

Covered by ``tests/analysis/test_discovery.py``.
"""

from __future__ import annotations

import argparse

from cxo_sim.errors import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim discover`` and its options to the sub-commands."""
    parser = sub.add_parser("discover", help="scenario discovery on a results folder")
    parser.add_argument("results", help="results folder")
    parser.add_argument("--outcome", required=True, help="outcome name")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--above", type=float, help="threshold: outcome above this")
    group.add_argument("--below", type=float, help="threshold: outcome below this")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """``cxo-sim discover RESULTS_DIR --outcome NAME (--above X | --below X)``."""
    import math

    import numpy as np

    from cxo_sim.analysis.discovery import discover
    from cxo_sim.analysis.numbers import fmt
    from cxo_sim.analysis.results import measure, open_results

    option, value = ("--above", args.above) if args.above is not None else ("--below", args.below)
    if value is not None and not math.isfinite(value):
        raise UserError(f"{option}: must be a finite number, got {value}")
    rs = open_results(args.results, series=False)
    declared = measure(args.outcome)
    if declared.name not in rs.runs:
        raise UserError(f"outcome {args.outcome!r} is not stored in {str(rs.path)!r}")
    factors = rs.factors
    if not factors:
        raise UserError(f"nothing varies between the runs in {str(rs.path)!r}: no region to find")
    values = rs.runs[args.outcome].to_numpy(float)
    above = args.above is not None
    threshold = args.above if above else args.below
    hit = values > threshold if above else values < threshold
    side = "above" if above else "below"
    unit = f" {declared.unit}" if declared.unit else ""
    print(
        f"{args.outcome} {side} {fmt(threshold)}{unit}: {int(hit.sum())} of {len(hit)} runs "
        f"({hit.mean():.0%}); observed range {fmt(np.nanmin(values))} to "
        f"{fmt(np.nanmax(values))}{unit}"
    )
    if hit.all() or not hit.any():
        word = "every" if hit.all() else "no"
        print(f"{word} run is {side} the threshold: there is no region to find; try another value")
        return
    rules = discover(rs.runs[factors], hit)
    if not rules:
        print(f"no region of {', '.join(factors)} is clearly denser than the {hit.mean():.0%} base")
        return
    print(f"regions found by PRIM over {', '.join(factors)} (each among runs the earlier missed):")
    for number, rule in enumerate(rules, start=1):
        print(f"  {number}. {rule.text()}")
    print(
        "coverage: share of the runs of interest the rule catches; "
        "density: share of the rule's runs that are of interest; n: runs the rule picks"
    )
