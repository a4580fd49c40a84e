"""Calibration files: what to calibrate, against which targets, validated before any run.

The format::

    name = "old_world"                 # output goes to calibration/<name>/
    preset = "old_world"               # the organisation the targets describe
    years = 5                          # years per run; the statistics pool years 2 to 5
    seed = 20261130                    # every random draw of the calibration derives from it
    population = 300                   # accepted particles per generation
    generations = 6                    # at most this many generations (ABC-SMC populations)
    predictive = 200                   # runs of the posterior predictive check
    [fixed]                            # parameters set for every run (as in experiment files)
    [screen]                           # the Morris screen that picks the constants to calibrate
    trajectories = 6
    seeds = 2
    [constants]                        # optional: calibrate these instead of screening
    calibrate = ["BASE_HAZARD", "SHADOW_PRICE"]
    [history_matching]                 # optional: rule out implausible constants before ABC
    waves = 3                          # waves of runs, each followed by a fit of the emulators
    runs = 150                         # model runs a wave
    cutoff = 3.0                       # the largest implausibility a remaining point may have
    [targets]                          # optional: a subset of the ODD's targets (default: all)
    breached = true                    # true: the published range; or { low, high, source }
    business_led_share = { low = 0.3, high = 0.4, source = "our own survey" }
    holdout = ["tool_count"]           # optional: card targets not fitted, only predicted

The targets are those of the target card (``cxo_sim.calibration.evidence``, committed as
calibration/TARGETS.md): the calibration targets of ``cxo_sim.validation.targets`` (ODD section
9), each a run's yearly figure pooled over years 2 to ``years`` (year 1 is the warm-up; the ODD's
targets are measured in years 2 to 5, the default) by
:func:`cxo_sim.validation.targets.run_statistics`, the trend of utilisation over those years
and the tool count at the end of the run.
Every mistake raises :class:`UserError` with one line naming the file, the key and the problem.

Covered by ``tests/calibration/test_files.py``.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxo_sim.calibration.evidence import CARD
from cxo_sim.constants import CONSTANTS
from cxo_sim.experiments.spec import _Validator, read_toml
from cxo_sim.params import did_you_mean
from cxo_sim.presets import PRESETS
from cxo_sim.validation.targets import CALIBRATION_YEARS, WEEKS

TOP_LEVEL_KEYS = (
    "name",
    "preset",
    "years",
    "seed",
    "population",
    "generations",
    "predictive",
    "fixed",
    "screen",
    "constants",
    "history_matching",
    "targets",
    "holdout",
)
DEFAULT_YEARS = max(CALIBRATION_YEARS)
DEFAULT_SEED = 0
DEFAULT_POPULATION = 300
DEFAULT_GENERATIONS = 6
DEFAULT_PREDICTIVE = 200
DEFAULT_TRAJECTORIES = 6
DEFAULT_SCREEN_SEEDS = 2
# Published target ranges, by statistic: (label, low, high, source); the target card
# (``evidence.py``, calibration/TARGETS.md) says where each comes from.
PUBLISHED = {e.key: (e.label, e.low, e.high, e.source) for e in CARD}
_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Target:
    """One statistic the calibration matches, with the range it should fall in.

    Attributes:
        key: the statistic's name (``cxo_sim.validation.targets.TARGETS``).
        label: what it is, in words.
        low: lower end of the range.
        high: upper end of the range.
        source: where the range comes from.
    """

    key: str
    label: str
    low: float
    high: float
    source: str

    @property
    def centre(self) -> float:
        """Middle of the range."""
        return (self.low + self.high) / 2

    @property
    def half_width(self) -> float:
        """Half the range's width (the distance's unit for this statistic)."""
        return (self.high - self.low) / 2


@dataclass
class Calibration:
    """A validated calibration file.

    Attributes:
        name: name; output goes to ``calibration/<name>/``.
        preset: the base preset.
        params: the complete parameters of every run (preset overlaid with ``[fixed]``).
        years: years per run (at least 2: the statistics pool years 2 to ``years``).
        seed: base seed of every random draw.
        population: accepted particles per generation.
        generations: most generations to run.
        predictive: runs of the posterior predictive check, one per posterior draw.
        trajectories: Morris trajectories of the screen.
        screen_seeds: seeds each screen point is run on.
        constants: constants to calibrate as listed in the file (None: the screen picks them).
        targets: the statistics to match.
        matching: the history matching's ``waves``, ``runs`` and ``cutoff`` (None: none).
        holdout: targets of the card not fitted, whose posterior predictive check tests the
            posterior on evidence it did not see (without ``[targets]``, the default targets
            are the card's others).
        text: the file's text (for the manifest and for resuming).
        path: the file's path.
    """

    name: str
    preset: str
    params: dict[str, Any]
    years: int
    seed: int
    population: int
    generations: int
    predictive: int
    trajectories: int
    screen_seeds: int
    constants: list[str] | None
    targets: list[Target]
    text: str
    path: Path
    fixed: dict[str, Any] = field(default_factory=dict)
    matching: dict[str, Any] | None = None
    holdout: list[Target] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Weeks per run."""
        return WEEKS * self.years

    @property
    def pooled_years(self) -> tuple[int, ...]:
        """The years whose figures the statistics pool (after the first year's warm-up)."""
        return tuple(range(2, self.years + 1))

    @property
    def text_hash(self) -> str:
        """SHA-256 of the file's text."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def load_calibration(path: str | Path) -> Calibration:
    """Read and validate a calibration file; raise :class:`UserError` naming file and key."""
    path = Path(path)
    data, text = read_toml(path, "calibration file")
    return parse_calibration(data, text, path)


def parse_calibration(data: dict[str, Any], text: str, path: Path) -> Calibration:
    """Validate a calibration file's data (``text`` is what was read, kept for the manifest)."""
    check = _Checker(path)
    check.known_keys("", data, TOP_LEVEL_KEYS)
    if "name" not in data:
        raise check.fail("name", "missing; every calibration needs a name (its folder)")
    name = check.string(data, "name", "")
    if not _NAME_PATTERN.fullmatch(name):
        raise check.fail("name", f"{name!r:.60} cannot name a folder; use letters, digits, -_.")
    preset = check.preset("preset", data.get("preset", "old_world"))
    fixed = check.parameter_table("fixed", data.get("fixed", {}))
    screen = check.table("screen", data.get("screen", {}))
    check.known_keys("screen", screen, ("trajectories", "seeds"))
    held = check.holdout(data.get("holdout"))
    return Calibration(
        name=name,
        preset=preset,
        params={**PRESETS[preset], **fixed},
        years=check.count(data, "years", DEFAULT_YEARS, low=2, high=100),
        seed=check.count(data, "seed", DEFAULT_SEED, low=0),
        population=check.count(data, "population", DEFAULT_POPULATION, low=10, high=100_000),
        generations=check.count(data, "generations", DEFAULT_GENERATIONS, low=1, high=100),
        predictive=check.count(data, "predictive", DEFAULT_PREDICTIVE, low=10, high=100_000),
        trajectories=check.count(
            screen, "trajectories", DEFAULT_TRAJECTORIES, low=2, high=1000, where="screen"
        ),
        screen_seeds=check.count(
            screen, "seeds", DEFAULT_SCREEN_SEEDS, low=1, high=100, where="screen"
        ),
        constants=check.constants(data.get("constants")),
        targets=[t for t in check.targets(data.get("targets")) if t.key not in held]
        if "targets" not in data
        else check.targets(data["targets"], held),
        text=text,
        path=path,
        fixed=fixed,
        matching=check.matching(data.get("history_matching")),
        holdout=[Target(key, *PUBLISHED[key]) for key in held],
    )


class _Checker(_Validator):
    """The experiment files' checks, plus those of a calibration's own sections."""

    def count(self, data, key, default, low, high=None, where=""):  # noqa: D102
        value = data.get(key, default)
        return self.integer(f"{where}.{key}" if where else key, value, low, high)

    def constants(self, value: Any) -> list[str] | None:
        if value is None:
            return None
        table = self.table("constants", value)
        self.known_keys("constants", table, ("calibrate",))
        if "calibrate" not in table:
            return None
        names = self.names("constants.calibrate", table["calibrate"], None)
        for i, name in enumerate(names):
            if name not in CONSTANTS:
                hint = did_you_mean(name.upper(), CONSTANTS, 0.5)
                raise self.fail(f"constants.calibrate[{i}]", f"unknown constant {name!r}{hint}")
            if name in names[:i]:
                raise self.fail(f"constants.calibrate[{i}]", f"{name} is listed twice")
            if CONSTANTS[name].low >= CONSTANTS[name].high:
                raise self.fail(f"constants.calibrate[{i}]", f"{name} has no range to calibrate")
        return names

    def matching(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        table = self.table("history_matching", value)
        self.known_keys("history_matching", table, ("waves", "runs", "cutoff"))
        cutoff = self.number("history_matching.cutoff", table.get("cutoff", 3.0))
        if not cutoff > 0:
            raise self.fail("history_matching.cutoff", f"must be above 0, got {cutoff:g}")
        return {
            "waves": self.count(table, "waves", 3, low=1, high=20, where="history_matching"),
            "runs": self.count(table, "runs", 150, low=10, high=100_000, where="history_matching"),
            "cutoff": cutoff,
        }

    def holdout(self, value: Any) -> list[str]:
        if value is None:
            return []
        names = self.names("holdout", value, None)
        for i, key in enumerate(names):
            if key not in PUBLISHED:
                hint = did_you_mean(key, PUBLISHED)
                raise self.fail(f"holdout[{i}]", f"unknown target{hint}")
            if key in names[:i]:
                raise self.fail(f"holdout[{i}]", f"{key} is listed twice")
        if len(names) >= len(PUBLISHED):
            raise self.fail("holdout", "holds out every target; leave at least one to fit")
        return names

    def targets(self, value: Any, held: list[str] = ()) -> list[Target]:
        if value is None:
            return default_targets()
        table = self.table("targets", value)
        for key in table:
            if key in held:
                raise self.fail(f"targets.{key}", "is also held out; fit it or hold it out")
        if not table:
            raise self.fail("targets", "empty; name at least one target, or leave the table out")
        targets = []
        for key, spec in table.items():
            where = f"targets.{key}"
            if key not in PUBLISHED:
                hint = did_you_mean(key, PUBLISHED)
                raise self.fail(where, f"unknown target{hint} (known: {', '.join(PUBLISHED)})")
            label, low, high, source = PUBLISHED[key]
            if spec is True:
                targets.append(Target(key, label, low, high, source))
                continue
            spec = self.table(where, spec)
            self.known_keys(where, spec, ("low", "high", "source"))
            low = self.number(f"{where}.low", spec.get("low"))
            high = self.number(f"{where}.high", spec.get("high"))
            if not low < high:
                raise self.fail(where, f"low ({low:g}) must be below high ({high:g})")
            source = spec.get("source", "set in the calibration file")
            if not isinstance(source, str):
                raise self.fail(f"{where}.source", "expected a string")
            targets.append(Target(key, label, low, high, source))
        return targets

    def number(self, key: str, value: Any) -> float:
        if value is None:
            raise self.fail(key, "missing")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {value!r:.40}")
        if not math.isfinite(value):
            raise self.fail(key, f"expected a finite number, got {value}")
        return float(value)


def default_targets() -> list[Target]:
    """Every calibration target of the ODD with its published range and source."""
    return [Target(key, *PUBLISHED[key]) for key in PUBLISHED]
