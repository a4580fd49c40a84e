"""``cxo-sim calibrate``: run a calibration file, write its reports, print the predictive check.

The reports are the card, the identifiability report, for ``--organisation`` the what-moved
report, and, with ``--coverage N``, the coverage report. ``--report-only`` rebuilds the
identifiability report, the what-moved report and the card of a finished calibration from its
folder, without a model run. Covered by ``tests/calibration/test_abc.py``,
``tests/calibration/test_identifiability.py`` and ``tests/calibration/test_moved.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the identifiability report and the card of a finished calibration "
        "from its folder (no model run)",
    )
    parser.add_argument(
        "--coverage",
        type=int,
        default=0,
        metavar="N",
        help="after calibrating, calibrate to N synthetic truths drawn from the prior and "
        "report how often the posterior's 50%% and 90%% intervals hold them",
    )
    parser.add_argument(
        "--coverage-population",
        type=int,
        default=None,
        metavar="P",
        help="population of each synthetic calibration (default 50)",
    )
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
    if args.coverage < 0:
        raise UserError(f"--coverage: must be 0 or more truths, got {args.coverage}")
    if args.coverage_population is not None and args.coverage_population < 10:
        raise UserError(
            f"--coverage-population: must be at least 10, got {args.coverage_population}"
        )
    if args.report_only and (args.fresh or args.coverage):
        raise UserError("--report-only: rebuilds reports only; drop --fresh and --coverage")
    if args.organisation is not None:
        from cxo_sim.calibration.organisation import organisation_calibration

        calibration = organisation_calibration(args.organisation, args.calibration)
    elif args.calibration is None:
        raise UserError("give a calibration file, or --organisation FIRM.toml")
    else:
        calibration = load_calibration(args.calibration)
    if args.report_only:
        from cxo_sim.calibration.abc import DEFAULT_ROOT, stored_result

        folder = Path(DEFAULT_ROOT if args.out is None else args.out) / calibration.name
        result = stored_result(folder)
        if result.manifest.get("calibration_hash") != calibration.text_hash:
            raise UserError(f"{folder}: holds a calibration made with another calibration file")
        if not result.manifest.get("finished"):
            raise UserError(f"{folder}: the calibration is not finished; run it first")
        _report(result, calibration, args.organisation is not None)
        return
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
    if args.coverage:
        from cxo_sim.calibration.coverage import POPULATION, run_coverage

        run_coverage(
            calibration,
            args.coverage,
            root=args.out,
            population=args.coverage_population or POPULATION,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=None if args.quiet else stderr,
        )
    card = _report(result, calibration, args.organisation is not None)
    if result.manifest.get("history_matching"):
        from cxo_sim.calibration.emulator import format_waves

        print(format_waves(result.manifest["history_matching"]))
    rows = predictive_table(result.predictive, calibration.targets)
    print(format_predictive(rows, len(result.predictive), calibration.years))
    if calibration.holdout:
        rows = predictive_table(result.predictive, calibration.holdout)
        print(format_predictive(rows, len(result.predictive), calibration.years, held_out=True))
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


def _report(result, calibration, organisation: bool = False) -> Path:
    """Write the identifiability report and the card; print where, and any warning.

    For a firm (``organisation``), also the what-moved report (``calibration/moved.py``).
    """
    from cxo_sim.calibration.card import write_card
    from cxo_sim.calibration.identifiability import (
        REPORT,
        misspecification_warning,
        write_identifiability,
    )

    report = write_identifiability(result.folder)
    card = write_card(result, calibration, report)
    counts = {}
    for row in report.rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    unconstrained = ", ".join(report.unconstrained) or "none"
    print(
        f"identifiability: {summary}; no target constrains: {unconstrained}; "
        f"report: {result.folder / REPORT}"
    )
    if organisation:
        from cxo_sim.calibration.moved import write_moved

        path, line = write_moved(result.folder, report, calibration.name)
        print(f"{line}; report: {path}")
    warning = misspecification_warning(report.fit)
    if warning:
        print(warning, file=sys.stderr)
    return card
