"""``cxo-sim robust SPEC.toml``: designs x plausible worlds, regret, failures, a report.

Covered by ``tests/robust/test_cli.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cxo_sim.errors import UserError

# Rank-swap warnings printed; the report lists them all.
SHOWN_WARNINGS = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim robust`` and its options to the sub-commands."""
    parser = sub.add_parser(
        "robust", help="which organisation design holds up across plausible worlds"
    )
    parser.add_argument("spec", help="robust-design spec (TOML), e.g. experiments/robust/*.toml")
    parser.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="Dask scheduler address (tcp://host:port)"
    )
    parser.add_argument("--out", default=None, help="results root (default ./results/robust)")
    parser.add_argument("--fresh", action="store_true", help="discard earlier results of this spec")
    parser.add_argument(
        "--recheck",
        type=int,
        default=0,
        metavar="N",
        help="re-check the failure boxes on N fresh worlds (default 0: not re-checked)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """Search (if the spec asks), evaluate every design in every world, write the report."""
    import dataclasses

    from cxo_sim.experiments.pool import PoolError
    from cxo_sim.robust.evaluation import DEFAULT_ROOT, evaluate_designs
    from cxo_sim.robust.report import write_report
    from cxo_sim.robust.spec import load_spec

    if args.recheck < 0 or args.recheck == 1:
        raise UserError(f"--recheck: give 0 (none) or at least 2 fresh worlds, not {args.recheck}")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    spec = load_spec(args.spec)
    folder = Path(DEFAULT_ROOT if args.out is None else args.out) / spec.name
    history = found = None
    if spec.search is not None:
        from cxo_sim.robust.search import cache_path, search_levers, write_search

        try:
            found = search_levers(
                spec,
                workers=args.workers,
                scheduler=args.scheduler,
                progress=not args.quiet,
                cache=cache_path(folder),
                fresh=args.fresh,
            )
        except KeyboardInterrupt:
            print(
                f"search stopped: the candidates finished are kept in {cache_path(folder)}; "
                "run the same command again to resume",
                file=sys.stderr,
            )
            raise
        history = found.history
        reused = f" ({found.reused} evaluated before)" if found.reused else ""
        print(
            f"search: {found.evaluated} candidates{reused} over {spec.search['generations']} "
            f"generations in {found.seconds:.1f} s; {int(found.candidates['non_dominated'].sum())} "
            f"non-dominated, {len(found.designs)} evaluated in full; hypervolume "
            f"{found.history['hypervolume'].iloc[-1]:.3f}"
        )
        spec = dataclasses.replace(spec, designs=spec.designs + found.designs)
    try:
        summary = evaluate_designs(
            spec,
            out=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            progress=not args.quiet,
        )
    except KeyboardInterrupt:
        print(
            f"robust stopped: what finished is stored in {folder}; run the same command "
            "again to finish",
            file=sys.stderr,
        )
        raise
    except PoolError as exc:
        raise UserError(f"{exc}; what finished is stored in {folder}") from None
    earlier = summary.runs_done - summary.runs_now
    print(
        f"{summary.runs_now} runs in {summary.seconds:.1f} s on {summary.where}"
        f"{f' ({earlier} were already done)' if earlier else ''}; "
        f"{summary.runs_done} of {summary.runs_planned} runs stored in {summary.folder}"
    )
    if found is not None:
        write_search(summary.folder, found)
    recheck = None
    if args.recheck:
        from cxo_sim.robust.failure import recheck_on_fresh_worlds

        def recheck(failures):
            return recheck_on_fresh_worlds(
                spec, failures, args.recheck, workers=args.workers, scheduler=args.scheduler
            )

    report = write_report(summary.folder, spec, history, recheck)
    for sentence in report.answer:
        print(sentence)
    for check in report.rechecks:
        print(f"re-checked: {check.sentence()}")
    swaps = report.robustness.swaps
    for warning in swaps[:SHOWN_WARNINGS]:
        print(f"warning: {warning}")
    if len(swaps) > SHOWN_WARNINGS:
        print(f"warning: {len(swaps) - SHOWN_WARNINGS} more such pairs, in the report")
    print(f"report: {report.path}")
