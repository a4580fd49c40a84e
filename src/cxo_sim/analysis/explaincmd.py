"""``cxo-sim explain``: what carries each lever's effect, shadow prices, artefact flags."""

from __future__ import annotations

import os
import time

from cxo_sim.analysis.diagnostics import diagnose, format_flags, format_shadow_prices
from cxo_sim.analysis.explain import (
    FIRST_SEED,
    LEVERS,
    SEEDS,
    chosen_switches,
    format_explanation,
    lever,
)
from cxo_sim.errors import UserError, stderr


def explain_command(args) -> int:
    """``cxo-sim explain``: a table per lever, then the shadow prices and the flags if asked."""
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
    if args.all or only_flags:
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
