"""Calibration targets (MODEL.md section 6) and patterns P1-P8 (section 7), as tests.

The same checks print with ``cxo-sim validate`` (which uses other seeds). Breaches are rare by
calibration (about half a breach per three-year run), so the patterns that compare breach
counts use 120 seeds per arm; the others use 40.
"""

import pytest

from cxo_sim.validation import PATTERNS, calibration, format_calibration, format_patterns, patterns

BREACH_PATTERNS = {"P1", "P2", "P4"}


def test_old_world_lands_inside_every_calibration_range():
    seeds = range(1, 61)
    targets = calibration(seeds)
    print(format_calibration(targets, len(seeds)))
    for target in targets:
        assert target.inside, (target.name, target.estimate)


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_pattern(pattern):
    n = 120 if pattern in BREACH_PATTERNS else 40
    checks = patterns(range(1, n + 1), only=[pattern])
    print(format_patterns(checks, n))
    assert checks
    failed = [c for c in checks if not c.passed]
    assert not failed, failed
