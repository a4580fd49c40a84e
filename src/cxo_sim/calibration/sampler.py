"""A pyabc sampler whose result depends on the seed only, not on workers or timing.

pyabc's own parallel samplers accept particles in the order they finish, so the posterior
changes with the number of workers and the machine's load. :class:`OrderedSampler` changes only
how candidates are *evaluated*; the ABC-SMC algorithm (populations, transitions, epsilon
schedule, weights) stays pyabc's:

- the candidates of generation ``t`` are numbered 0, 1, 2, ...; candidate ``i`` is evaluated
  (proposal, model run, distance, acceptance: pyabc's ``simulate_one``) in a worker, with
  NumPy's global generator (which pyabc's priors and transitions draw from) seeded from
  ``(seed, t, i)``;
- candidates run in batches on the local process pool or a Dask cluster
  (``cxo_sim.experiments.engine``), as many at once as there are workers;
- acceptance is taken in index order until ``n`` are accepted; candidates evaluated past that
  point are dropped.

So generation ``t``'s population is a function of the seed and of generation ``t - 1``'s
population, which pyabc stores in its history: a resumed calibration (pyabc resumes at the last
complete generation) reproduces the uninterrupted one.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import cloudpickle
import numpy as np
import pyabc

from cxo_sim.experiments.engine import ordered_map, run_deadline
from cxo_sim.experiments.pool import WorkerPool
from cxo_sim.stops import StopSignals

# Candidates evaluated by one task: amortises sending pyabc's simulate function to a worker,
# while leaving little work to drop once the population is full.
BATCH = 4
# Seconds between progress lines within a generation.
PROGRESS_SECONDS = 10.0

Progress = Callable[[str], None]


def candidate_seed(seed: int, t: int, index: int | None = None) -> int:
    """The NumPy seed of candidate ``index`` of generation ``t`` (-1: pyabc's prior sample).

    Without ``index``: the seed of the parent process at the start of generation ``t``.
    """
    # The candidate's index goes into the spawn key: as a third entropy word, index 0 would give
    # the parent's seed (SeedSequence ignores trailing zero words).
    key = () if index is None else (index,)
    sequence = np.random.SeedSequence([seed, t + 1], spawn_key=key)
    return int(sequence.generate_state(1)[0])


@dataclass(frozen=True)
class Batch:
    """Consecutive candidates of one generation, evaluated by one task.

    Attributes:
        run_id: the batch's number within the generation (the pool tracks tasks by it).
        seed: the calibration's seed.
        t: the generation (-1: pyabc's sample from the prior).
        first: index of the first candidate.
        size: number of candidates.
        key: digest of ``payload``, so a worker unpickles each generation's function once.
        payload: pyabc's ``simulate_one`` for the generation, pickled by cloudpickle.
        steps: weeks per model run (the pool's deadlines read it).
    """

    run_id: int
    seed: int
    t: int
    first: int
    size: int
    key: str
    payload: bytes
    steps: int = 0


_cache: dict[str, Callable[[], Any]] = {}
# NumPy's global generator is one per process: candidates in one worker run one at a time.
_lock = threading.Lock()


def evaluate_batch(batch: Batch) -> list[Any]:
    """Evaluate a batch's candidates in a worker: one pyabc ``Particle`` each, in index order."""
    simulate_one = _cache.get(batch.key)
    if simulate_one is None:
        _cache.clear()
        simulate_one = _cache[batch.key] = cloudpickle.loads(batch.payload)
    particles = []
    with _lock:
        for index in range(batch.first, batch.first + batch.size):
            np.random.seed(candidate_seed(batch.seed, batch.t, index))
            particles.append(simulate_one())
    return particles


class OrderedSampler(pyabc.sampler.Sampler):
    """Evaluates candidates in parallel, accepts them in index order (see the module docstring).

    Args:
        seed: the calibration's seed.
        pool: where batches run.
        steps: weeks per model run.
        stop: stop signals, honoured between waits.
        progress: called with a line of progress now and then.
    """

    def __init__(
        self,
        seed: int,
        pool: WorkerPool,
        steps: int,
        stop: StopSignals | None = None,
        progress: Progress | None = None,
    ):
        super().__init__()
        self.seed = seed
        self.pool = pool
        self.steps = steps
        self.stop_signals = stop
        self.progress = progress

    def sample_until_n_accepted(
        self,
        n,
        simulate_one,
        t,
        *,
        max_eval=np.inf,
        all_accepted=False,  # noqa: ARG002
        ana_vars=None,  # noqa: ARG002
    ):
        """The first ``n`` accepted candidates in index order (and those rejected before)."""
        # Whatever pyabc draws in this process between generations comes from the seed too.
        np.random.seed(candidate_seed(self.seed, t))
        payload = cloudpickle.dumps(simulate_one)
        key = hashlib.sha256(payload).hexdigest()

        def batch(number: int) -> Batch:
            return Batch(number, self.seed, t, number * BATCH, BATCH, key, payload, self.steps)

        sample = self._create_empty_sample()
        evaluations = 0
        started = last_report = time.monotonic()
        finished = False
        for particles in self._in_order(batch):
            for particle in particles:
                if evaluations >= max_eval:
                    sample.ok = False
                    finished = True
                    break
                sample.append(particle)
                evaluations += 1
                if particle.accepted and sample.n_accepted >= n:
                    finished = True
                    break
            now = time.monotonic()
            if self.progress and (finished or now - last_report >= PROGRESS_SECONDS):
                last_report = now
                name = "prior sample" if t < 0 else f"generation {t}"
                self.progress(
                    f"calibrate: {name}: {sample.n_accepted}/{n} accepted of {evaluations} "
                    f"runs, {now - started:.0f} s"
                )
            if finished:
                break
        self.nr_evaluations_ = evaluations
        return sample

    def _in_order(self, batch: Callable[[int], Batch]) -> Iterable[list[Any]]:
        """Each batch's particles in batch order, while the caller keeps asking."""
        numbers = itertools.count()
        deadline = BATCH * run_deadline(self.steps)
        yield from ordered_map(
            self.pool, evaluate_batch, map(batch, numbers), self.stop_signals, deadline
        )

    # pyabc calls this when a run ends; the pool belongs to the caller.
    def stop(self) -> None:  # noqa: D102
        return None
