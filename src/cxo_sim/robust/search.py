"""Search the levers when the designs are too many to enumerate (NSGA-III, from pymoo).

Each lever is one variable in [0, 1]: a list of values is read by equal shares, a range ``{ min,
max }`` continuously (integers rounded, floats to three significant digits, so a design's label
is its value). Every candidate is evaluated over one fixed sample of worlds (drawn on a stream
of its own, ``[search] worlds`` of them, ``[search] replications`` seeded runs each, common
seeds), and is scored, per objective, by its outcome in its bad worlds: the 10th percentile over
the worlds of an "up" objective (maximised), the 90th of a "down" one (minimised). Candidates
already evaluated are not run again, in this search or an earlier one over the same worlds:
given a cache file (the command's is ``.<name>.search.jsonl`` beside the results folder, so that
the folder's own checks and ``--fresh`` are untouched until the search is over), each
candidate's outcomes are appended to it as soon as its runs are in, under a key of everything
that makes two evaluations the same (the model, preset, weeks, seed, uncertainties, the search's
worlds and replications, the objectives' outcomes). pymoo is seeded, so a search run again
proposes the same candidates: an interrupted search resumes, running only the candidates it had
not finished, and gives the same result; more generations extend it. The search's convergence is
the hypervolume, after each generation, of the non-dominated candidates found so far, on
objectives scaled to [0, 1] by the best and worst values seen (reference point 1.1).

The non-dominated candidates (and the next fronts, until there are at least :data:`KEEP`)
become designs that ``cxo-sim robust`` then evaluates in full over the spec's worlds. pymoo is
seeded from the spec's seed (it seeds NumPy's legacy global generator, which nothing else here
uses), so the same spec finds the same designs. Covered by ``tests/robust/test_search.py``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cxo_sim import params as registry
from cxo_sim.experiments import safe_files
from cxo_sim.experiments.backends import open_pool
from cxo_sim.robust.evaluation import run_in_memory
from cxo_sim.robust.spec import RobustSpec, design_label
from cxo_sim.robust.worlds import SEARCH_STREAM, sample_worlds
from cxo_sim.stops import StopSignals

SEARCH_SEED_BITS = 31
# Designs the search hands on to the full evaluation: whole fronts, until at least this many.
KEEP = 4
LOW_QUANTILE = 0.1


@dataclass
class SearchResult:
    """What the search found.

    Attributes:
        designs: the candidates handed on, as (label, lever values): the non-dominated
            ones, and the next fronts until there are at least :data:`KEEP`.
        candidates: every candidate evaluated: its levers, its scores, the generation it was
            first seen in, its front (0: non-dominated) and whether it is non-dominated.
        history: ``generation`` and ``hypervolume``, one row per generation.
        evaluated: number of distinct candidates run.
        seconds: wall-clock time of the search.
    """

    designs: list[tuple[str, dict[str, Any]]]
    candidates: pd.DataFrame
    history: pd.DataFrame
    evaluated: int
    seconds: float
    reused: int = 0


def cache_path(folder: Path) -> Path:
    """The search's cache of a results folder: ``.<name>.search.jsonl`` beside it.

    Not inside: the folder is created, checked and discarded by the evaluation after the
    search, which would refuse a folder holding files but no manifest, or discard the cache.
    """
    return folder.with_name(f".{folder.name}.search.jsonl")


def cache_key(spec: RobustSpec) -> str:
    """What makes two evaluations of a candidate the same, as a hash."""
    import hashlib
    import json

    from cxo_sim.experiments.provenance import model_fingerprint

    key = {
        "model": model_fingerprint(),
        "preset": spec.preset,
        "steps": spec.steps,
        "seed": spec.seed,
        "sampler": spec.sampler,
        "context": spec.context,
        "constants": {name: list(bounds) for name, bounds in spec.constants.items()},
        "posterior": None if spec.posterior is None else spec.posterior.describe()["sha256"],
        "worlds": spec.search["worlds"],
        "replications": spec.search["replications"],
        "outcomes": [o.outcome for o in spec.objectives],
    }
    text = json.dumps(key, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class EvaluationCache:
    """Candidates' outcomes over the search's worlds, one JSON line each, keyed by the spec.

    A line that does not read (the last one, cut by a kill) or has another key is ignored;
    lines with another key are dropped when the file is next written.
    """

    def __init__(self, path: Path | None, key: str, fresh: bool = False):
        self.path = None if path is None else Path(path)
        self.key = key
        self.stored: dict[str, dict[str, np.ndarray]] = {}
        if self.path is None:
            return
        if fresh and self.path.exists():
            self.path.unlink()
        stale = False
        if self.path.exists():
            stale = self._read()
        if stale:
            self._rewrite()

    def _read(self) -> bool:
        import json

        stale = False
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
                if entry["key"] != self.key:
                    stale = True
                    continue
                self.stored[entry["design"]] = {
                    name: np.array(values, dtype=float) for name, values in entry["values"].items()
                }
            except (ValueError, KeyError, TypeError):
                stale = True
        return stale

    def _rewrite(self) -> None:
        safe_files.write_output(
            self.path,
            lambda temp: temp.write_text(
                "".join(self._line(d, v) for d, v in self.stored.items()), "utf-8"
            ),
            root=self.path.parent,
        )

    def _line(self, design: str, values: dict[str, np.ndarray]) -> str:
        import json

        data = {name: array.tolist() for name, array in values.items()}
        return json.dumps({"key": self.key, "design": design, "values": data}) + "\n"

    def add(self, design: str, values: dict[str, np.ndarray]) -> None:
        """Keep a candidate's outcomes (worlds x replications per outcome), on disk at once."""
        self.stored[design] = values
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(self._line(design, values))
            file.flush()


def decode(spec: RobustSpec, x: np.ndarray) -> dict[str, Any]:
    """A candidate's lever values from its variables in [0, 1]."""
    levers = {}
    for u, (name, values) in zip(x, spec.levers.items(), strict=True):
        u = float(np.clip(u, 0.0, 1.0))
        if isinstance(values, list):
            levers[name] = values[min(int(u * len(values)), len(values) - 1)]
        elif registry.get(name).kind == "int":
            levers[name] = int(round(values["min"] + u * (values["max"] - values["min"])))
        else:
            levers[name] = float(f"{values['min'] + u * (values['max'] - values['min']):.3g}")
    return levers


def score(values: dict[str, np.ndarray], spec: RobustSpec) -> np.ndarray:
    """Each candidate's scores to minimise, shape (candidates, objectives).

    ``values`` holds each objective's outcomes, shape (candidates, worlds, replications).
    """
    columns = []
    for objective in spec.objectives:
        means = values[objective.outcome].mean(axis=-1)
        if objective.direction == "up":
            columns.append(-np.quantile(means, LOW_QUANTILE, axis=-1))
        else:
            columns.append(np.quantile(means, 1 - LOW_QUANTILE, axis=-1))
    return np.column_stack(columns)


def search_levers(
    spec: RobustSpec,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
    cache: Path | None = None,
    fresh: bool = False,
) -> SearchResult:
    """Run the spec's ``[search]``; the pool is opened once for every generation.

    Args:
        spec: a validated spec with a ``[search]`` table.
        workers: local processes (default: every core).
        scheduler: a Dask scheduler's address, to run there instead.
        progress: say each generation on stderr.
        cache: the file keeping every candidate evaluated (:func:`cache_path`; None: kept in
            memory only).
        fresh: forget the candidates evaluated before.
    """
    from pymoo.algorithms.moo.nsga3 import NSGA3
    from pymoo.core.callback import Callback
    from pymoo.core.problem import Problem
    from pymoo.optimize import minimize
    from pymoo.util.ref_dirs import get_reference_directions

    settings = spec.search
    worlds = sample_worlds(spec, settings["worlds"], stream=SEARCH_STREAM)
    names = [o.outcome for o in spec.objectives]
    seen: dict[str, tuple[dict[str, Any], np.ndarray, int]] = {}
    stored = EvaluationCache(cache, cache_key(spec), fresh=fresh)
    reused = [0]
    generation = [0]
    started = time.monotonic()

    with StopSignals() as stop, open_pool(workers, scheduler) as pool:

        def evaluate(population: np.ndarray) -> np.ndarray:
            decoded = [decode(spec, x) for x in population]
            new = {}
            for levers in decoded:
                label = design_label(levers)
                if label in seen or label in new:
                    continue
                if label in stored.stored:
                    values = {name: stored.stored[label][name][None] for name in names}
                    seen[label] = (levers, score(values, spec)[0], generation[0])
                    reused[0] += 1
                else:
                    new[label] = levers
            if new:
                batch = list(new.items())

                def keep(point: int, values: dict[str, np.ndarray]) -> None:
                    stored.add(batch[point][0], values)

                replications = settings["replications"]
                values = run_in_memory(spec, batch, worlds, replications, names, pool, stop, keep)
                scores = score(values, spec)
                for (label, levers), s in zip(batch, scores, strict=True):
                    seen[label] = (levers, s, generation[0])
            return np.array([seen[design_label(levers)][1] for levers in decoded])

        class Candidates(Problem):
            def __init__(self):
                super().__init__(n_var=len(spec.levers), n_obj=len(names), xl=0.0, xu=1.0)

            def _evaluate(self, x, out, *args, **kwargs):
                out["F"] = evaluate(x)

        class Generations(Callback):
            def notify(self, algorithm):
                generation[0] += 1
                if progress:
                    from cxo_sim.errors import stderr

                    stderr(f"search: generation {generation[0]}, {len(seen)} candidates")

        partitions = _partitions(len(names), settings["population"])
        directions = get_reference_directions("das-dennis", len(names), n_partitions=partitions)
        algorithm = NSGA3(ref_dirs=directions, pop_size=settings["population"])
        minimize(
            Candidates(),
            algorithm,
            ("n_gen", settings["generations"]),
            seed=spec.seed % (1 << SEARCH_SEED_BITS),
            callback=Generations(),
            verbose=False,
        )
    candidates, history = _tables(seen, spec)
    # The first fronts, until they hold KEEP designs: a lone non-dominated candidate would have
    # nothing to be compared with.
    last = candidates["front"].iloc[min(KEEP, len(candidates)) - 1]
    kept = candidates[candidates["front"] <= last]
    designs = [
        (f"search {i + 1}: {label}", seen[label][0]) for i, label in enumerate(kept["design"])
    ]
    return SearchResult(
        designs, candidates, history, len(seen), time.monotonic() - started, reused[0]
    )


def _partitions(objectives: int, population: int) -> int:
    """The most das-Dennis partitions whose reference directions the population can hold.

    NSGA-III wants at least one candidate per reference direction; ``p`` partitions of ``m``
    objectives give ``comb(p + m - 1, m - 1)`` directions.
    """
    if objectives == 1:
        return 1
    p = 1
    while math.comb(p + objectives, objectives - 1) <= population:
        p += 1
    return p


def _tables(seen: dict, spec: RobustSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The candidates (non-dominated marked) and the hypervolume after each generation.

    The candidates' columns ``worst:<outcome>`` hold each score in the outcome's own sign: the
    10th percentile over the worlds of an "up" objective, the 90th of a "down" one.
    """
    names = [o.outcome for o in spec.objectives]
    from pymoo.indicators.hv import HV
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    labels = list(seen)
    scores = np.array([seen[label][1] for label in labels])
    born = np.array([seen[label][2] for label in labels])
    low, high = scores.min(axis=0), scores.max(axis=0)
    scaled = (scores - low) / np.where(high > low, high - low, 1.0)
    indicator = HV(ref_point=np.full(len(names), 1.1))
    sorter = NonDominatedSorting()
    history = []
    for g in range(int(born.max()) + 1):
        upto = scaled[born <= g]
        best = upto[sorter.do(upto, only_non_dominated_front=True)]
        history.append({"generation": g, "hypervolume": float(indicator(best))})
    front = np.zeros(len(labels), dtype=int)
    for rank, members in enumerate(sorter.do(scores)):
        front[members] = rank
    candidates = pd.DataFrame(
        {"design": labels, "generation": born, "front": front, "non_dominated": front == 0}
    )
    for i, objective in enumerate(spec.objectives):
        candidates[f"worst:{objective.outcome}"] = -objective.sign * scores[:, i]
    return candidates.sort_values(["front", "design"], ascending=[True, True]), pd.DataFrame(
        history
    )


def write_search(folder: Path, found: SearchResult) -> None:
    """``search/candidates.csv`` and ``search/hypervolume.csv`` in a results folder."""
    for name, table in (("candidates", found.candidates), ("hypervolume", found.history)):
        safe_files.write_output(
            folder / "search" / f"{name}.csv",
            lambda temp, table=table: table.to_csv(temp, index=False),
            root=folder,
        )
