"""``cxo-sim explain``: what carries each lever's effect, shadow prices, artefact flags.

Covered by ``tests/validation/test_explain.py``.
"""

from __future__ import annotations

import argparse

from cxo_sim.errors import UserError, stderr


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim explain`` and its options to the sub-commands."""
    parser = sub.add_parser(
        "explain",
        help="a lever's effects and the share each mechanism carries; shadow prices; flags",
    )
    parser.add_argument(
        "levers",
        nargs="*",
        metavar="LEVER",
        help="a practice (meetings, liaison, ...), a decision right (new_world, shared, "
        "combined_role), a preference (cio_risk, cmo_speed), a preset, or KEY=VALUE on old_world",
    )
    parser.add_argument("--all", action="store_true", help="explain every named lever")
    parser.add_argument(
        "--shadow-prices",
        action="store_true",
        help="effect of 50%% more executive hours, engineers and each budget in old_world",
    )
    parser.add_argument(
        "--flags",
        action="store_true",
        help="artefact flags of the levers explained (alone: of every lever and resource)",
    )
    parser.add_argument("--seeds", type=int, default=None, help="seeds per arm (default 50)")
    parser.add_argument("--first-seed", type=int, default=None, help="first seed (default 70000)")
    parser.add_argument("--workers", type=int, default=None, help="local processes (default: all)")
    parser.add_argument("--steps", type=int, default=156, help="weeks per run (default 156)")
    parser.add_argument(
        "--switch",
        dest="switches",
        action="append",
        default=None,
        metavar="NAME",
        help="turn off only this mechanism switch (repeatable; default: every switch)",
    )
    parser.add_argument(
        "--within",
        metavar="PRESET",
        default=None,
        help="explain practices within a preset: the preset against it without the practice "
        "(with --all: every practice the preset has), e.g. --within best_practice",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    """``cxo-sim explain``: a table per lever, then the shadow prices and the flags if asked."""
    import os
    import time

    from cxo_sim.validation.diagnostics import diagnose, format_flags, format_shadow_prices
    from cxo_sim.validation.explain import (
        FIRST_SEED,
        LEVERS,
        SEEDS,
        chosen_switches,
        format_explanation,
        lever,
        within,
        within_all,
    )

    n_seeds = SEEDS if args.seeds is None else args.seeds
    first = FIRST_SEED if args.first_seed is None else args.first_seed
    if n_seeds < 2:
        raise UserError(
            f"--seeds must be at least 2 (a confidence interval needs two), got {n_seeds}"
        )
    if first < 0:
        raise UserError(f"--first-seed must be a non-negative integer, got {first}")
    if args.steps < 1:
        raise UserError(f"--steps must be at least 1, got {args.steps}")
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers must be at least 1, got {args.workers}")
    if args.all and args.levers:
        raise UserError("name levers or give --all, not both")
    only_flags = args.flags and not (args.levers or args.all or args.shadow_prices)
    if not (args.levers or args.all or args.shadow_prices or args.flags):
        raise UserError("name a lever, or give --all, --shadow-prices or --flags")
    if args.within is not None and (only_flags or (args.shadow_prices and not args.levers)):
        raise UserError("--within explains levers: name practices or give --all")
    if args.within is not None:  # a bad preset or lever is a ValueError: one line from main
        if args.all:
            levers = within_all(args.within)
        else:
            levers = [within(name, args.within) for name in dict.fromkeys(args.levers)]
    elif args.all or only_flags:
        levers = list(LEVERS.values())
    else:
        levers = [lever(name) for name in dict.fromkeys(args.levers)]
    switches = chosen_switches(args.switches)
    seeds = range(first, first + n_seeds)
    workers = args.workers or os.cpu_count() or 1
    start = time.monotonic()
    found = diagnose(
        levers,
        seeds,
        workers,
        switches,
        args.steps,
        shadow=args.shadow_prices or only_flags,
        progress=not args.quiet,
    )
    blocks = [] if only_flags else [format_explanation(e) for e in found.explanations]
    if args.shadow_prices:
        blocks.append(format_shadow_prices(found.shadow_prices, n_seeds))
    if args.flags:
        blocks.append(format_flags(found.flags, n_seeds))
    print("\n\n".join(blocks))
    if not args.quiet:
        stderr(f"explain: {time.monotonic() - start:.0f} s")
    return 0
