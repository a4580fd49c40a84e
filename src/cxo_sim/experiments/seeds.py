"""The seed of each replication of an experiment (ODD 4: every configuration shares it).

It lives apart from the plan so that storage, which checks every stored row's seed against the
plan, can use it without importing the plan (which draws on the calibration's posterior).

Covered by ``tests/experiments/test_local_sweeps.py``.
"""

from __future__ import annotations

import numpy as np

SEED_BITS = 63


def run_seed(base_seed: int, replication: int) -> int:
    """The seed of replication ``replication`` of every configuration: an int below 2**63."""
    sequence = np.random.SeedSequence(base_seed, spawn_key=(replication,))
    high, low = (int(word) for word in sequence.generate_state(2, dtype=np.uint32))
    return ((high << 32) | low) & ((1 << SEED_BITS) - 1)
