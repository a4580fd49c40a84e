"""``cxo-sim calibrate``: run a calibration file, write its card, print the predictive check.

Covered by ``tests/calibration/test_abc.py``.
"""

from __future__ import annotations

import argparse
import sys

from cxo_sim.errors import UserError, stderr


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim calibrate`` and its options to the sub-commands."""
    parser = sub.add_parser(
        "calibrate", help="estimate the constants from the targets (ABC-SMC), write a card"
    )
    parser.add_argument("calibration", nargs="?", default=None, help="calibration file (TOML)")
    parser.add_argument(
        "--organisation",
        default=None,
        metavar="FIRM.toml",
        help="calibrate to a firm's own observations (the calibration file, if given, sets "
        "the settings)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    parser.add_argument(
        "--scheduler", default=None, help="Dask scheduler address (tcp://host:port)"
    )
    parser.add_argument("--fresh", action="store_true", help="discard an earlier calibration")
    parser.add_argument("--out", default=None, help="calibrations root (default ./calibration)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> None:
    """Calibrate, write the card; a stop (Ctrl-C, SIGTERM) keeps every finished generation."""
    # pyabc and its SQL history load only for this command.
    from cxo_sim.calibration.abc import calibrate
    from cxo_sim.calibration.predictive import (
        effective_sample_size,
        format_predictive,
        low_effective_sample,
        predictive_table,
    )
    from cxo_sim.calibration.spec import load_calibration

    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: must be at least 1, got {args.workers}")
    if args.organisation is not None:
        from cxo_sim.calibration.organisation import organisation_calibration

        calibration = organisation_calibration(args.organisation, args.calibration)
    elif args.calibration is None:
        raise UserError("give a calibration file, or --organisation FIRM.toml")
    else:
        calibration = load_calibration(args.calibration)
    try:
        result = calibrate(
            calibration,
            root=args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            fresh=args.fresh,
            progress=None if args.quiet else stderr,
        )
    except KeyboardInterrupt:
        print(
            "calibration stopped; every finished generation is stored: run the same command "
            "again to resume",
            file=sys.stderr,
        )
        raise
    from cxo_sim.calibration.card import write_card

    card = write_card(result, calibration)
    rows = predictive_table(result.predictive, calibration.targets)
    print(format_predictive(rows, len(result.predictive), calibration.years))
    seconds = result.manifest["wall_seconds"]
    runs = sum(result.manifest["runs"].values())
    print(
        f"{len(result.names)} constants calibrated, {runs} runs, {seconds:.0f} s on "
        f"{result.manifest['executor']}; effective sample size "
        f"{effective_sample_size(result.posterior):.0f} of {len(result.posterior)}; stored in "
        f"{result.folder}"
    )
    print(f"card: {card}")
    warning = low_effective_sample(result.posterior)
    if warning:
        print(warning, file=sys.stderr)
