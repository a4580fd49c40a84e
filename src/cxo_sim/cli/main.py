"""The ``cxo-sim`` command: its parser, and what every sub-command shares.

Each sub-command's options and work live in its own module (:mod:`cxo_sim.cli`); here, one line
for a user error (exit 2), and Ctrl-C, SIGTERM and SIGHUP as an interruption (128 + the
signal's number). Covered by ``tests/test_faults.py``.
"""

from __future__ import annotations

import argparse
import signal
import sys

from cxo_sim import stops
from cxo_sim.cli import (
    app,
    calibrate,
    discover,
    explain,
    lesson,
    params,
    plot,
    report,
    robust,
    robustness,
    run,
    sensitivity,
    sweep,
    validate,
)
from cxo_sim.errors import UserError

# The sub-commands, in the order ``cxo-sim --help`` lists them.
COMMANDS = (
    run,
    sweep,
    calibrate,
    plot,
    report,
    lesson,
    sensitivity,
    discover,
    validate,
    explain,
    robustness,
    robust,
    params,
    app,
)

EXAMPLES = """examples:
  cxo-sim params                                     parameters, bounds, defaults; presets
  cxo-sim run --preset new_world --set liaison=true --seed 3
  cxo-sim sweep experiments/budget-ownership.toml    then: cxo-sim report results/...
  cxo-sim report results/budget-ownership            report.html, summary.csv, runs.csv
  cxo-sim lesson results/budget-ownership            worksheet and debrief in docs/teaching/
  cxo-sim calibrate calibration/old_world.toml       posterior, card in calibration/old_world/
  cxo-sim sensitivity experiments/lhs-preferences.toml --method morris
  cxo-sim discover results/lhs-preferences --outcome breaches --above 3
  cxo-sim explain meetings cio_risk=0.9              what carries a lever's effect
  cxo-sim robust experiments/robust/budget-ownership.toml   designs across plausible worlds
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
    for module in COMMANDS:
        module.add_parser(sub)
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
        return args.handler(args) or 0
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
