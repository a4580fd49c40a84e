"""The model's random generator: Python's, with a faster shuffle for Mesa's ``shuffle_do``."""

from __future__ import annotations

import random


class ShuffleRandom(random.Random):
    """Python's generator with ``shuffle`` inlined: the same permutations and the same state.

    Mesa's ``shuffle_do`` shuffles the marketers and engineers every week; the standard
    ``shuffle`` makes a method call per element to draw below a bound, which this version does
    in place, with exactly the same draws (``getrandbits`` of the bound's bit length, redrawn
    while too large).
    """

    def shuffle(self, x: list) -> None:
        """Shuffle ``x`` in place, as ``random.Random.shuffle`` does."""
        getrandbits = self.getrandbits
        lengths = _BIT_LENGTHS if len(x) < len(_BIT_LENGTHS) else None
        for i in reversed(range(1, len(x))):
            bound = i + 1
            bits = bound.bit_length() if lengths is None else lengths[bound]
            j = getrandbits(bits)
            while j >= bound:
                j = getrandbits(bits)
            x[i], x[j] = x[j], x[i]


# ``n.bit_length()`` for the bounds of lists of up to 4,095 agents, looked up, not called.
_BIT_LENGTHS = [n.bit_length() for n in range(4096)]
