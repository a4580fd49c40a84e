"""What differs between the Mesa versions cxo-sim supports (3.3.1 to 3.5.x), in one place.

The model gives the same results on every supported version (``tests/test_golden.py``); these
are the few places where Mesa's interface changed under it:

- **Seeding.** Mesa 3.5 deprecates ``Model(seed=...)`` (a ``FutureWarning``) for
  ``Model(rng=...)``. For an integer both build ``random.Random(seed)`` and
  ``numpy.random.default_rng(seed)`` on 3.3, 3.4 and 3.5, so :func:`model_seeding` passes a
  whole-number seed as ``rng``: the same streams, and no warning.
- **Scenarios.** Mesa 3.5 gives every model a ``scenario`` (a ``mesa.experimental`` parameter
  object), and SolaraViz's Reset passes one to the model's class. cxo-sim's parameters are the
  registry's keywords, so :func:`model_seeding` accepts a scenario that carries no parameters
  (taking its seed when there is no other) and refuses one that does, instead of ignoring them.
- **batch_run.** Mesa 3.3 takes seeds as a ``seed`` parameter (with ``iterations=1``); from
  3.4 they go in ``rng=[...]``, which overwrites a ``seed`` parameter, and ``iterations`` is
  deprecated: :func:`batch_run_seeding` says it the way the installed Mesa expects. Up to 3.4
  ``batch_run`` steps a model while ``steps <= max_steps`` (one week more than ``max_steps``,
  reporting week ``max_steps``); 3.5 steps it ``max_steps`` times: :func:`batch_run_max_steps`.
- **Agent._ids** (mesa#3179): Mesa 3.3's ``Agent`` keeps a class-level dictionary of every
  model ever made, with all its agents; 3.4 and later have none. :func:`release_model` drops a
  finished model from it where it exists.
- **Agent sets.** Mesa 3.5 keeps ``model.agents`` and ``model.agents_by_type`` in a private
  strong-reference set (``mesa.agentset._HardKeyAgentSet``), not ``mesa.agent.AgentSet``; both
  have the same public methods (``shuffle_do``, ``select``, ``len``, iteration), which are all
  the model uses.
"""

from __future__ import annotations

import re
from typing import Any

import mesa
import numpy as np

MESA_VERSION: tuple[int, int] = tuple(
    int(part) for part in re.findall(r"\d+", mesa.__version__)[:2]
)  # type: ignore[assignment]


def model_seeding(seed: Any, rng: Any, scenario: Any = None) -> dict[str, Any]:
    """The keyword arguments of ``mesa.Model.__init__`` for a model's ``seed`` or ``rng``.

    Args:
        seed: a whole number (Python or NumPy), or None.
        rng: anything Mesa accepts as ``rng`` (a NumPy generator, a seed sequence, ...), or None.
        scenario: a Mesa 3.5 scenario without parameters (what SolaraViz's Reset passes), or None.

    Raises:
        ValueError: both a seed and an rng; a seed that is not a whole number; a scenario that
            carries parameters, or a seed different from the one given.
    """
    if scenario is not None:
        extra = [k for k in dict(scenario) if k not in ("rng", "model", "_scenario_id")]
        if extra:
            raise ValueError(
                f"CxOModel takes its parameters as keywords, not in a Mesa scenario (got "
                f"{', '.join(sorted(extra))})"
            )
        given = scenario.rng
        if given is not None:
            if seed is None and rng is None:
                seed = given
            elif given not in (seed, rng):
                raise ValueError(f"the scenario's rng {given!r} differs from the seed given")
    if seed is not None and rng is not None:
        raise ValueError("give either seed or rng, not both")
    if seed is None:
        return {"rng": rng}
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    return {"rng": int(seed)}


def release_model(model: mesa.Model) -> None:
    """Let a finished model go: Mesa 3.3's ``Agent._ids`` would keep it (mesa#3179)."""
    ids = getattr(mesa.Agent, "_ids", None)
    if ids is not None:
        ids.pop(model, None)


def batch_run_seeding(parameters: dict[str, Any], seeds: list[int]) -> dict[str, Any]:
    """``parameters`` and the seeds as keyword arguments of the installed ``mesa.batch_run``.

    Every configuration runs once on each seed, on every Mesa version.
    """
    if MESA_VERSION < (3, 4):
        return {"parameters": {**parameters, "seed": list(seeds)}, "iterations": 1}
    return {"parameters": dict(parameters), "rng": list(seeds)}


def batch_run_max_steps(weeks: int) -> int:
    """The ``max_steps`` that has the installed ``mesa.batch_run`` step a model ``weeks`` times."""
    return weeks - 1 if MESA_VERSION < (3, 5) else weeks
