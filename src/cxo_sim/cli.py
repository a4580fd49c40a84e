"""The ``cxo-sim`` command and its sub-commands (``cxo-sim --help`` lists them)."""

from __future__ import annotations

import argparse
import signal
import sys

from cxo_sim import stops
from cxo_sim.errors import UserError

EXAMPLES = """examples:
  cxo-sim params                                     parameters, bounds, defaults; presets
  cxo-sim run --preset new_world --set liaison=true --seed 3
  cxo-sim sweep experiments/budget-ownership.toml    then: cxo-sim report results/...
  cxo-sim report results/budget-ownership            report.html, summary.csv, runs.csv
  cxo-sim calibrate experiments/calibration/old_world.toml   posterior, card in calibration/
  cxo-sim sensitivity experiments/lhs-preferences.toml --method morris
  cxo-sim discover results/lhs-preferences --outcome breaches --above 3
  cxo-sim explain meetings cio_risk=0.9              what carries a lever's effect
  cxo-sim app                                        the teaching app on 127.0.0.1:8765
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="cxo-sim",
        description="Agent-based model of the CIO-CMO conflict over martech.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run one model and print its outcomes")
    run.add_argument("--preset", default="old_world", help="base parameter set (default old_world)")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter; repeatable",
    )
    run.add_argument("--steps", type=int, default=156, help="weeks to simulate (default 156)")
    run.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    run.add_argument("--out", default=None, help="folder for the per-step series and figure")

    sweep = sub.add_parser("sweep", help="run an experiment file")
    sweep.add_argument("experiment", help="experiment file (TOML)")
    sweep.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    sweep.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    sweep.add_argument(
        "--fresh", action="store_true", help="discard earlier results of this experiment"
    )
    sweep.add_argument("--out", default=None, help="results root (default ./results)")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.add_argument(
        "--organisation",
        default=None,
        metavar="FIRM.toml",
        help="run on a firm: its parameters, and constants from its posterior (calibrated "
        "first if calibration/<firm>/ does not hold it)",
    )
    sweep.add_argument(
        "--run-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop and redo a run that takes longer (default: 60 s + 0.05 s a week)",
    )

    cal = sub.add_parser(
        "calibrate", help="estimate the constants from the targets (ABC-SMC), write a card"
    )
    cal.add_argument("calibration", nargs="?", default=None, help="calibration file (TOML)")
    cal.add_argument(
        "--organisation",
        default=None,
        metavar="FIRM.toml",
        help="calibrate to a firm's own observations (the calibration file, if given, sets "
        "the settings)",
    )
    cal.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    cal.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    cal.add_argument("--fresh", action="store_true", help="discard an earlier calibration")
    cal.add_argument("--out", default=None, help="calibrations root (default ./calibration)")
    cal.add_argument("--quiet", action="store_true", help="no progress lines")

    plot = sub.add_parser("plot", help="figures from a results folder")
    plot.add_argument("results", help="results folder")

    report = sub.add_parser("report", help="self-contained HTML report of a results folder")
    report.add_argument("results", help="results folder")

    sens = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib)")
    sens.add_argument("experiment", help="experiment file (TOML)")
    sens.add_argument(
        "--method",
        choices=["morris", "sobol"],
        default=None,
        help="default: the file's [sensitivity] method, else morris",
    )
    sens.add_argument(
        "--workers", type=int, default=None, help="local processes (default: all cores)"
    )
    sens.add_argument("--out", default=None, help="results root (default ./results)")

    disc = sub.add_parser("discover", help="scenario discovery on a results folder")
    disc.add_argument("results", help="results folder")
    disc.add_argument("--outcome", required=True, help="outcome name")
    group = disc.add_mutually_exclusive_group(required=True)
    group.add_argument("--above", type=float, help="threshold: outcome above this")
    group.add_argument("--below", type=float, help="threshold: outcome below this")

    val = sub.add_parser(
        "validate", help="calibration, patterns P1-P8, T1-T3, S1 and the tradeoff table, measured"
    )
    val.add_argument("--seeds", type=int, default=120, help="seeds per arm (default 120)")
    val.add_argument("--first-seed", type=int, default=10_000, help="first seed (default 10000)")
    val.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    val.add_argument(
        "--flags",
        action="store_true",
        help="also the artefact flags of every lever and resource (cxo-sim explain --flags)",
    )

    exp = sub.add_parser(
        "explain",
        help="a lever's effects and the share each mechanism carries; shadow prices; flags",
    )
    exp.add_argument(
        "levers",
        nargs="*",
        metavar="LEVER",
        help="a practice (meetings, liaison, ...), a decision right (new_world, shared, "
        "combined_role), a preference (cio_risk, cmo_speed), a preset, or KEY=VALUE on old_world",
    )
    exp.add_argument("--all", action="store_true", help="explain every named lever")
    exp.add_argument(
        "--shadow-prices",
        action="store_true",
        help="effect of 50%% more executive hours, engineers and each budget in old_world",
    )
    exp.add_argument(
        "--flags",
        action="store_true",
        help="artefact flags of the levers explained (alone: of every lever and resource)",
    )
    exp.add_argument("--seeds", type=int, default=None, help="seeds per arm (default 50)")
    exp.add_argument("--first-seed", type=int, default=None, help="first seed (default 70000)")
    exp.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    exp.add_argument("--steps", type=int, default=156, help="weeks per run (default 156)")
    exp.add_argument(
        "--switch",
        dest="switches",
        action="append",
        default=None,
        metavar="NAME",
        help="turn off only this mechanism switch (repeatable; default: every switch)",
    )
    exp.add_argument("--quiet", action="store_true", help="no progress bar")

    rob = sub.add_parser(
        "robustness", help="which conclusions survive the behavioural constants' ranges"
    )
    rob.add_argument("--screen", action="store_true", help="Morris screen of every constant")
    rob.add_argument("--sets", type=int, default=None, help="constant sets (default 16)")
    rob.add_argument(
        "--seeds", type=int, default=None, help="seeds per arm (default 30; --screen: 4)"
    )
    rob.add_argument(
        "--trajectories", type=int, default=None, help="--screen: Morris trajectories (default 10)"
    )
    rob.add_argument("--top", type=int, default=None, help="--screen: show this many constants")
    rob.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    sub.add_parser("params", help="list parameters (bounds, defaults, units) and presets")

    app = sub.add_parser("app", help="serve the teaching app in the browser")
    app.add_argument("--host", default="127.0.0.1")
    app.add_argument("--port", type=int, default=8765)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point: dispatch to the sub-command; user errors print one line and exit 2.

    Ctrl-C, SIGTERM and SIGHUP stop the command as a ``KeyboardInterrupt`` that the command
    cleans up after; the exit status is then 128 plus the signal's number (130, 143, 129). Called
    with ``argv=None`` the process ends when this returns, so from then on they are ignored:
    one that arrives while the interpreter shuts down cannot turn the exit status into a
    traceback.
    """
    args = build_parser().parse_args(argv)
    received: list[int] = []

    def interrupt(number: int, _frame) -> None:
        received.append(number)
        raise KeyboardInterrupt

    previous = stops.install(interrupt)
    try:
        check_options(args)
        if args.command == "run":
            from cxo_sim.runcmd import run_command

            run_command(args)
        elif args.command == "sweep":
            from cxo_sim.experiments.cli import sweep_command

            sweep_command(args)
        elif args.command == "calibrate":
            from cxo_sim.calibration.cli import calibrate_command

            calibrate_command(args)
        elif args.command == "plot":
            from cxo_sim.plots import plot_command

            plot_command(args)
        elif args.command == "report":
            from cxo_sim.report import report_command

            report_command(args)
        elif args.command == "sensitivity":
            from cxo_sim.analysis.sensitivity import sensitivity_command

            sensitivity_command(args)
        elif args.command == "discover":
            from cxo_sim.analysis.discovery import discover_command

            discover_command(args)
        elif args.command == "validate":
            from cxo_sim.validatecmd import validate_command

            return validate_command(args)
        elif args.command == "explain":
            from cxo_sim.analysis.explaincmd import explain_command

            return explain_command(args)
        elif args.command == "robustness":
            from cxo_sim.robustness import robustness_command

            return robustness_command(args)
        elif args.command == "params":
            from cxo_sim.paramscmd import params_command

            params_command(args)
        elif args.command == "app":
            try:
                from cxo_sim.app import serve
            except ModuleNotFoundError as exc:
                if (exc.name or "").partition(".")[0] == "cxo_sim":
                    raise
                raise UserError(
                    f"the app needs {exc.name}, which the app extra installs: "
                    "pip install 'cxo-sim[app]'"
                ) from None

            serve(host=args.host, port=args.port)
    except (UserError, ValueError) as exc:
        print(f"cxo-sim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the environment: a full disk, a read-only folder, a bad path
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"cxo-sim {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"cxo-sim {args.command}: interrupted", file=sys.stderr)
        number = getattr(exc, "signal_number", received[0] if received else signal.SIGINT)
        return 128 + number
    finally:
        stops.restore(dict.fromkeys(previous, signal.SIG_IGN) if argv is None else previous)
    return 0


def check_options(args: argparse.Namespace) -> None:
    """Refuse option values no command can use, before anything starts.

    Raises:
        UserError: an empty ``--out`` (it would write into the current folder) or a port
            outside 1 to 65535.
    """
    out = getattr(args, "out", None)
    if out is not None and not out.strip():
        raise UserError("--out: is empty; give a folder (or leave the option out)")
    port = getattr(args, "port", None)
    if port is not None and not 1 <= port <= 65_535:
        raise UserError(f"--port: must be 1 to 65535, got {port}")


if __name__ == "__main__":
    sys.exit(main())
