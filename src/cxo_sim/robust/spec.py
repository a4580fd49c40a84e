"""Robust-design specs: levers x uncertainties x objectives, one TOML file per decision.

The format (``experiments/robust/*.toml``)::

    name = "budget-ownership"              # results go to results/robust/<name>/
    question = "Who should own the martech budget, and with which practices?"
    preset = "old_world"                   # the base every design starts from
    steps = 104                            # weeks per run
    replications = 3                       # seeded runs of each design in each world
    seed = 20261207                        # worlds and run seeds derive from it
    [levers]                               # a design is one value of each (full combination)
    budget_owner = ["cio", "cmo", "shared"]
    liaison = [false, true]
    [[designs]]                            # ...or named designs instead of [levers]
    name = "new world with a liaison"
    budget_owner = "cmo"
    liaison = true
    [uncertainties]
    worlds = 64                            # plausible worlds, sampled once
    sampler = "lhs"                        # "lhs" (default) or "sobol" (a power of two worlds)
    posterior = "calibration/old_world"    # optional: each world draws a particle by weight
    [uncertainties.constants]              # behavioural constants: "plausible" = the declared
    HYPE_START = "plausible"               # range, or a narrower { min, max }
    [uncertainties.context]                # what the firm cannot choose: { min, max } or a list
    n_marketers = { min = 8, max = 40 }
    [[objectives]]                         # each: an outcome, up or down, optional threshold
    outcome = "net_value"
    direction = "up"                       # default: the outcome's declared better side
    threshold = 0                          # acceptable: at least this (up), at most (down)
    [search]                               # optional: evolutionary search over the levers
    population = 12
    generations = 6
    worlds = 8                             # a fixed sample of worlds for every candidate

A lever may be a range ``{ min, max }`` only for the search. Every mistake raises
:class:`~cxo_sim.errors.UserError`: one line naming the file and the key, with the closest known
name for an unknown lever, constant, parameter or outcome. Covered by
``tests/robust/test_spec.py``.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cxo_sim import params as registry
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError
from cxo_sim.experiments.posterior import Posterior, load_posterior
from cxo_sim.experiments.spec import _NAME_PATTERN, MAX_STEPS, _Validator, read_toml
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES
from cxo_sim.params import did_you_mean
from cxo_sim.presets import PRESETS

TOP_LEVEL_KEYS = (
    "name",
    "question",
    "preset",
    "steps",
    "replications",
    "seed",
    "levers",
    "designs",
    "uncertainties",
    "objectives",
    "search",
)
SAMPLERS = ("lhs", "sobol")
DIRECTIONS = ("up", "down")
MAX_DESIGNS = 1_000
MAX_WORLDS = 100_000
MAX_RUNS = 10_000_000
DEFAULT_SEARCH = {"population": 16, "generations": 8, "worlds": 8, "replications": 1}


@dataclass(frozen=True)
class Objective:
    """One outcome a design is judged on.

    Attributes:
        outcome: an outcome or diagnostic name (``cxo_sim.outcomes``).
        direction: ``"up"`` (more is better) or ``"down"``.
        threshold: the value a design must reach (up: at least, down: at most) to be
            acceptable in a world, or None.
    """

    outcome: str
    direction: str
    threshold: float | None = None

    @property
    def sign(self) -> float:
        """+1 where more is better, -1 where less: ``sign * value`` is "higher is better"."""
        return 1.0 if self.direction == "up" else -1.0

    def meets(self, value: Any) -> Any:
        """Whether ``value`` (a number or an array) reaches the threshold (True without one)."""
        if self.threshold is None:
            return ~np.isnan(np.asarray(value, dtype=float))
        return value >= self.threshold if self.direction == "up" else value <= self.threshold


@dataclass
class RobustSpec:
    """A validated robust-design spec.

    Attributes:
        name: results go to ``<root>/<name>/`` (root ``results/robust``).
        question: the decision in words.
        preset: the base parameter set of every design.
        steps: weeks per run.
        replications: seeded runs of each design in each world.
        seed: base seed of the worlds and of every run.
        levers: lever name -> list of values, or ``{"min", "max"}`` (search only).
        designs: (label, lever values) of every design evaluated in every world.
        worlds: number of worlds sampled.
        sampler: ``"lhs"`` or ``"sobol"``.
        context: parameter name -> ``{"min", "max"}`` or a list of values.
        constants: constant name -> (low, high).
        posterior: a calibration posterior each world draws a particle from, or None.
        objectives: the outcomes designs are judged on, the first the headline.
        search: the ``[search]`` settings, or None.
        text: the file's text.
        path: the file's path.
    """

    name: str
    question: str
    preset: str
    steps: int
    replications: int
    seed: int
    levers: dict[str, Any]
    designs: list[tuple[str, dict[str, Any]]]
    worlds: int
    sampler: str
    context: dict[str, Any]
    constants: dict[str, tuple[float, float]]
    posterior: Posterior | None
    objectives: list[Objective]
    text: str
    path: Path
    search: dict[str, int] | None = None

    @property
    def text_hash(self) -> str:
        """SHA-256 of the file's text: a changed spec is another experiment."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def design_params(self, levers: dict[str, Any]) -> dict[str, Any]:
        """A design's parameters without the world: the preset overlaid with its lever values."""
        return {**PRESETS[self.preset], **levers}


def load_spec(path: str | Path) -> RobustSpec:
    """Read and validate a robust-design spec; :class:`UserError` naming file and key."""
    path = Path(path)
    data, text = read_toml(path, "robust-design spec")
    return _Checker(path).spec(data, text)


class _Checker(_Validator):
    """Checks one spec's data; every error names the file and the dotted key.

    The generic checks (unknown keys, tables, integers) are the experiment files' own.
    """

    def spec(self, data: dict[str, Any], text: str) -> RobustSpec:
        self.known_keys("", data, TOP_LEVEL_KEYS)
        name = data.get("name")
        if not isinstance(name, str) or not _NAME_PATTERN.fullmatch(name):
            raise self.fail("name", "missing or not a folder name (letters, digits, '-', '_', '.')")
        preset = data.get("preset", "old_world")
        if preset not in PRESETS:
            hint = did_you_mean(preset, PRESETS)
            raise self.fail("preset", f"unknown preset {preset!r}{hint}")
        levers = self.levers(data.get("levers", {}))
        designs = self.designs(data, levers)
        uncertain = self.table("uncertainties", data.get("uncertainties"), required=True)
        self.known_keys(
            "uncertainties", uncertain, ("worlds", "sampler", "posterior", "constants", "context")
        )
        worlds = self.integer("uncertainties.worlds", uncertain.get("worlds"), 2, MAX_WORLDS)
        sampler = uncertain.get("sampler", "lhs")
        if sampler not in SAMPLERS:
            hint = did_you_mean(sampler, SAMPLERS)
            raise self.fail(
                "uncertainties.sampler", f"unknown sampler {sampler!r}{hint} (lhs, sobol)"
            )
        if sampler == "sobol" and worlds & (worlds - 1):
            raise self.fail(
                "uncertainties.worlds", f"sobol needs a power of two worlds, not {worlds}"
            )
        context = self.context(uncertain.get("context", {}), levers)
        for label, chosen in designs:
            for name in set(chosen) & set(context):
                raise self.fail(
                    f"designs.{label}.{name}",
                    "is uncertain context: the firm either chooses it or it does not",
                )
        posterior = self.posterior(uncertain.get("posterior"))
        constants = self.constants(uncertain.get("constants", {}), posterior)
        if not (context or constants or posterior):
            raise self.fail(
                "uncertainties", "names nothing uncertain: add context, constants or a posterior"
            )
        steps = self.integer("steps", data.get("steps", 156), 1, MAX_STEPS)
        replications = self.integer("replications", data.get("replications", 3), 1, 10_000)
        if len(designs) * worlds * replications > MAX_RUNS:
            raise self.fail(
                "uncertainties.worlds",
                f"{len(designs)} designs x {worlds} worlds x "
                f"{replications} replications is more than {MAX_RUNS:_} runs",
            )
        question = data.get("question", "")
        if not isinstance(question, str):
            raise self.fail("question", "expected a string")
        return RobustSpec(
            name=name,
            question=question,
            preset=preset,
            steps=steps,
            replications=replications,
            seed=self.integer("seed", data.get("seed", 0), 0, None),
            levers=levers,
            designs=designs,
            worlds=worlds,
            sampler=sampler,
            context=context,
            constants=constants,
            posterior=posterior,
            objectives=self.objectives(data.get("objectives")),
            search=self.search(data.get("search"), levers),
            text=text,
            path=self.path,
        )

    # ------------------------------------------------------------------ generic checks
    def table(self, key: str, value: Any, required: bool = False) -> dict[str, Any]:
        if value is None and required:
            raise self.fail(key, "missing")
        return super().table(key, value)

    def integer(self, key: str, value: Any, low: int, high: int | None = None) -> int:
        if value is None:
            raise self.fail(key, "missing")
        return super().integer(key, value, low, high)

    def parameter(self, key: str, name: str, what: str) -> registry.Parameter:
        if name not in registry.PARAMETERS:
            hint = did_you_mean(name, registry.PARAMETERS, cutoff=0.5)
            raise self.fail(key, f"unknown {what} {name!r}{hint}")
        return registry.PARAMETERS[name]

    def value(self, key: str, parameter: registry.Parameter, value: Any) -> Any:
        try:
            return parameter.validate(value)
        except ValueError:
            raise self.fail(
                key, f"invalid value {value!r:.40}; expected {parameter.allowed()}"
            ) from None

    def values(self, key: str, parameter: registry.Parameter, spec: Any) -> Any:
        """A list of distinct valid values, or a numeric range ``{min, max}``."""
        if isinstance(spec, list):
            if not spec:
                raise self.fail(key, "empty list: give at least one value")
            checked = [self.value(f"{key}[{i}]", parameter, v) for i, v in enumerate(spec)]
            if len(set(map(repr, checked))) < len(checked):
                raise self.fail(key, "a value is listed twice")
            return checked
        if isinstance(spec, dict):
            self.known_keys(key, spec, ("min", "max"))
            if parameter.kind not in ("float", "int"):
                raise self.fail(key, f"{parameter.name} is {parameter.kind}: list its values")
            if "min" not in spec or "max" not in spec:
                raise self.fail(key, "a range needs min and max")
            low = self.value(f"{key}.min", parameter, spec["min"])
            high = self.value(f"{key}.max", parameter, spec["max"])
            if not low < high:
                raise self.fail(key, f"min ({low}) must be below max ({high})")
            return {"min": low, "max": high}
        raise self.fail(key, "expected a list of values or a range { min, max }")

    # ------------------------------------------------------------------ sections
    def levers(self, value: Any) -> dict[str, Any]:
        levers = {}
        for name, spec in self.table("levers", value).items():
            key = f"levers.{name}"
            levers[name] = self.values(key, self.parameter(key, name, "lever"), spec)
        return levers

    def designs(self, data: dict[str, Any], levers: dict[str, Any]) -> list[tuple[str, dict]]:
        named = data.get("designs")
        if named is not None:
            if levers and "search" not in data:
                raise self.fail(
                    "designs", "give [levers] (every combination) or [[designs]], not both"
                )
            return self.named_designs(named)
        if not levers:
            raise self.fail("levers", "missing: name the levers (or list [[designs]])")
        if "search" in data and any(isinstance(v, dict) for v in levers.values()):
            return []  # the search finds the designs
        for name, spec in levers.items():
            if isinstance(spec, dict):
                raise self.fail(
                    f"levers.{name}", "a range is for [search]; list the values to enumerate"
                )
        count = math.prod(len(v) for v in levers.values())
        if count > MAX_DESIGNS:
            raise self.fail(
                "levers",
                f"{count:_} designs are too many to enumerate "
                f"(at most {MAX_DESIGNS:_}); add [search] to search them instead",
            )
        names = list(levers)
        return [
            (
                design_label(dict(zip(names, combo, strict=True))),
                dict(zip(names, combo, strict=True)),
            )
            for combo in itertools.product(*levers.values())
        ]

    def named_designs(self, value: Any) -> list[tuple[str, dict]]:
        if not isinstance(value, list) or not value:
            raise self.fail("designs", "expected [[designs]] tables")
        designs, seen = [], set()
        for i, table in enumerate(value):
            table = self.table(f"designs[{i}]", table)
            label = table.get("name")
            if not isinstance(label, str) or not label.strip():
                raise self.fail(f"designs[{i}].name", "missing: every design needs a name")
            if label in seen:
                raise self.fail(f"designs[{i}].name", f"design {label!r} is named twice")
            seen.add(label)
            levers = {}
            for name, v in table.items():
                if name != "name":
                    key = f"designs.{label}.{name}"
                    levers[name] = self.value(key, self.parameter(key, name, "lever"), v)
            designs.append((label, levers))
        return designs

    def context(self, value: Any, levers: dict[str, Any]) -> dict[str, Any]:
        context = {}
        for name, spec in self.table("uncertainties.context", value).items():
            key = f"uncertainties.context.{name}"
            parameter = self.parameter(key, name, "parameter")
            if name in levers:
                raise self.fail(key, "is also a lever: the firm either chooses it or it does not")
            context[name] = self.values(key, parameter, spec)
        return context

    def posterior(self, value: Any) -> Posterior | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail("uncertainties.posterior", "expected a calibration folder")
        try:
            return load_posterior(value)
        except UserError as exc:
            raise self.fail("uncertainties.posterior", str(exc)) from None

    def constants(self, value: Any, posterior: Posterior | None) -> dict[str, tuple[float, float]]:
        ranges = {}
        for name, spec in self.table("uncertainties.constants", value).items():
            key = f"uncertainties.constants.{name}"
            if name not in CONSTANTS:
                hint = did_you_mean(name.upper(), CONSTANTS, cutoff=0.5)
                raise self.fail(key, f"unknown constant {name!r}{hint}")
            if posterior is not None and name in posterior.names:
                raise self.fail(key, "is drawn from the posterior already; range it or draw it")
            declared = CONSTANTS[name]
            if spec == "plausible":
                ranges[name] = (declared.low, declared.high)
                continue
            if not isinstance(spec, dict) or set(spec) != {"min", "max"}:
                raise self.fail(
                    key, 'expected "plausible" or { min, max } within the plausible range'
                )
            low, high = spec["min"], spec["max"]
            numbers = all(
                isinstance(x, int | float) and not isinstance(x, bool) for x in (low, high)
            )
            if not numbers or not declared.low <= low < high <= declared.high:
                raise self.fail(
                    key, f"expected min < max within {declared.low:g} to {declared.high:g}"
                )
            ranges[name] = (float(low), float(high))
        return ranges

    def objectives(self, value: Any) -> list[Objective]:
        if not isinstance(value, list) or not value:
            raise self.fail("objectives", "missing: list [[objectives]], each with an outcome")
        known = OUTCOME_NAMES + DIAGNOSTIC_NAMES
        objectives = []
        for i, table in enumerate(value):
            key = f"objectives[{i}]"
            table = self.table(key, table)
            self.known_keys(key, table, ("outcome", "direction", "threshold"))
            outcome = table.get("outcome")
            if outcome not in known:
                hint = did_you_mean(str(outcome), known, cutoff=0.5)
                raise self.fail(f"{key}.outcome", f"unknown outcome {outcome!r}{hint}")
            if any(o.outcome == outcome for o in objectives):
                raise self.fail(f"{key}.outcome", f"{outcome} is an objective twice")
            direction = table.get("direction", _declared_direction(outcome))
            if direction is None:
                raise self.fail(
                    f"{key}.direction", f"missing: {outcome} has no better side; 'up' or 'down'?"
                )
            if direction not in DIRECTIONS:
                raise self.fail(f"{key}.direction", f"expected 'up' or 'down', got {direction!r}")
            threshold = table.get("threshold")
            if threshold is not None and (
                isinstance(threshold, bool)
                or not isinstance(threshold, int | float)
                or not math.isfinite(threshold)
            ):
                raise self.fail(f"{key}.threshold", f"expected a number, got {threshold!r:.40}")
            objectives.append(
                Objective(outcome, direction, None if threshold is None else float(threshold))
            )
        return objectives

    def search(self, value: Any, levers: dict[str, Any]) -> dict[str, int] | None:
        if value is None:
            return None
        table = self.table("search", value)
        self.known_keys("search", table, tuple(DEFAULT_SEARCH))
        if not levers:
            raise self.fail("search", "needs [levers] to search over")
        checked = {}
        for key, default in DEFAULT_SEARCH.items():
            checked[key] = self.integer(f"search.{key}", table.get(key, default), 1, 100_000)
        if checked["population"] < 4:
            raise self.fail("search.population", "needs at least 4 candidates")
        return checked


def _declared_direction(outcome: str) -> str | None:
    from cxo_sim.analysis.results import measure

    better = measure(outcome).better
    return {"higher": "up", "lower": "down"}.get(better)


def design_label(levers: dict[str, Any]) -> str:
    """A design's levers as ``budget_owner=cmo, liaison=true``."""
    from cxo_sim.analysis.numbers import value_text

    return ", ".join(f"{name}={value_text(value)}" for name, value in levers.items())
