"""``cxo-sim validate``: the calibration table, the pattern checks and the tradeoff table."""

from __future__ import annotations

import os

from cxo_sim.errors import UserError
from cxo_sim.patterns import format_patterns, format_tradeoffs, patterns, tradeoffs
from cxo_sim.validation import calibration, format_calibration


def validate_command(args) -> int:
    """``cxo-sim validate``: the calibration table, the pattern checks, the tradeoff table."""
    if args.seeds < 2:
        raise UserError(
            f"--seeds must be at least 2 (a confidence interval needs two), got {args.seeds}"
        )
    if args.first_seed < 0:
        raise UserError(f"--first-seed must be a non-negative integer, got {args.first_seed}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    workers = args.workers or os.cpu_count() or 1
    targets = calibration(seeds, workers)
    print(format_calibration(targets, args.seeds), flush=True)
    checks = patterns(seeds, workers)
    print(format_patterns(checks, args.seeds), flush=True)
    print(format_tradeoffs(tradeoffs(seeds, workers), args.seeds))
    failed = [c for c in checks if not c.passed] + [t for t in targets if not t.inside]
    print(f"{len(failed)} of {len(checks) + len(targets)} checks failed")
    return 1 if failed else 0
