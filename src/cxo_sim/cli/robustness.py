"""``cxo-sim robustness``: conclusions across constant sets, or ``--screen``: the Morris screen.

Covered by ``tests/validation/test_robustness.py``.
"""

from __future__ import annotations

import argparse

from cxo_sim.errors import UserError, stderr


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim robustness`` and its options to the sub-commands."""
    parser = sub.add_parser(
        "robustness", help="which conclusions survive the behavioural constants' ranges"
    )
    parser.add_argument("--screen", action="store_true", help="Morris screen of every constant")
    parser.add_argument("--sets", type=int, default=None, help="constant sets (default 16)")
    parser.add_argument(
        "--seeds", type=int, default=None, help="seeds per arm (default 30; --screen: 4)"
    )
    parser.add_argument(
        "--trajectories", type=int, default=None, help="--screen: Morris trajectories (default 10)"
    )
    parser.add_argument("--top", type=int, default=None, help="--screen: show this many constants")
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """``cxo-sim robustness``: conclusions across constant sets, or ``--screen``: Morris."""
    import os
    import time

    from cxo_sim.validation.robustness import (
        FIRST_SEED,
        SEEDS,
        SETS,
        conclusions_across_constants,
        format_conclusions,
    )
    from cxo_sim.validation.screen import (
        SCREEN_SEEDS,
        TRAJECTORIES,
        format_screen,
        screen_constants,
    )

    for flag, value, least in (
        ("--seeds", args.seeds, 2 if not args.screen else 1),
        ("--workers", args.workers, 1),
        ("--trajectories", args.trajectories, 2),
        ("--top", args.top, 1),
    ):
        if value is not None and value < least:
            raise UserError(f"{flag} must be at least {least}, got {value}")
    if args.sets is not None and args.sets < 1:
        raise UserError(f"--sets must be at least 1, got {args.sets}")
    if args.screen and args.sets is not None:
        raise UserError("--sets applies to the conclusions; --screen draws its own points")
    if not args.screen and (args.trajectories is not None or args.top is not None):
        raise UserError("--trajectories and --top apply to --screen only")
    workers = args.workers or os.cpu_count() or 1
    start = time.monotonic()
    if args.screen:
        n_seeds = args.seeds or SCREEN_SEEDS
        screen = screen_constants(
            trajectories=args.trajectories or TRAJECTORIES,
            workers=workers,
            seeds=range(FIRST_SEED, FIRST_SEED + n_seeds),
            progress=stderr,
        )
        print(format_screen(screen, top=args.top))
    else:
        n_seeds = args.seeds or SEEDS
        result = conclusions_across_constants(
            n_sets=args.sets or SETS,
            seeds=range(FIRST_SEED, FIRST_SEED + n_seeds),
            workers=workers,
            progress=stderr,
        )
        print(format_conclusions(result))
    stderr(f"robustness: {time.monotonic() - start:.0f} s")
    return 0
