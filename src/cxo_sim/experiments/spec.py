"""Experiment files: one what-if question per TOML file, validated before any run starts.

The format (see ARCHITECTURE.md)::

    name = "budget-ownership"          # results go to results/<name>/
    question = "Who should own the martech budget?"
    preset = "old_world"               # the base every run starts from (default old_world)
    steps = 156                        # weeks per run (default 156)
    replications = 30                  # runs per configuration (default 10)
    seed = 20261123                    # base seed (default 0); run seeds derive from it
    [fixed]                            # parameters set for every run
    cmo_speed = 0.8
    [factors]                          # parameters varied: a list of values or a range
    budget_owner = ["cio", "cmo", "shared"]
    cio_risk = { min = 0.0, max = 1.0, n = 5 }
    [sampling]                         # "factorial" (default), "lhs" (with n) or "scenarios"
    method = "factorial"
    [output]
    timeseries_every = 4               # weeks between stored per-step rows; 0 = none
    [sensitivity]                      # optional; read by `cxo-sim sensitivity`, not by sweep
    method = "morris"
    [uncertainty]                      # optional: constants drawn from a calibration's posterior
    posterior = "calibration/old_world"

    [[scenarios]]                      # named configurations (sampling "scenarios")
    name = "meetings"
    meeting_interval = 4

A scenario may name its own ``preset``; its parameters are then that preset, overlaid with
``[fixed]``, overlaid with its own values. Every mistake raises :class:`UserError` with one line
naming the file, the key and the problem.

Covered by ``tests/experiments/test_experiment_files.py``.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from cxo_sim import params as registry
from cxo_sim.errors import UserError
from cxo_sim.experiments.design import Experiment
from cxo_sim.experiments.posterior import Posterior, load_posterior
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
    "fixed",
    "factors",
    "sampling",
    "scenarios",
    "output",
    "sensitivity",
    "uncertainty",
)
SAMPLING_METHODS = ("factorial", "lhs", "scenarios")
SENSITIVITY_METHODS = ("morris", "sobol")
RANGE_KEYS = ("min", "max", "n")
DEFAULT_PRESET = "old_world"
DEFAULT_STEPS = 156
DEFAULT_REPLICATIONS = 10
DEFAULT_SEED = 0
# Upper bounds a typo cannot pass unnoticed: a century of weeks, and designs whose points fit in
# memory (each is a full parameter set) and whose runs a results folder can index.
MAX_STEPS = 5_200
# Largest experiment, calibration or organisation file read (a real one is a few KiB).
MAX_INPUT_BYTES = 1024 * 1024
MAX_REPLICATIONS = 100_000
MAX_POINTS = 100_000
MAX_RUNS = 10_000_000
_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file; raise :class:`UserError` naming file and key."""
    path = Path(path)
    data, text = read_toml(path, "experiment file")
    return _Validator(path).experiment(data, text)


def read_toml(path: Path, kind: str) -> tuple[dict[str, Any], str]:
    """A TOML file's data and text; a :class:`UserError` naming the file if it cannot be read."""
    text = _read_text(path, kind)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: TOML syntax error: {exc}") from None
    except RecursionError:
        raise UserError(f"{path}: values nested too deeply to read") from None
    return data, text


def nearby(path: Path, folders: bool = False) -> str:
    """``"; did you mean 'x'?"`` with the closest file (or folder) beside a missing ``path``."""
    try:
        names = [
            p.name
            for p in path.parent.iterdir()
            if (p.is_dir() if folders else p.is_file() and p.suffix == path.suffix)
        ]
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.5)
    return f"; did you mean {str(path.parent / close[0])!r}?" if close else ""


def _read_text(path: Path, kind: str) -> str:
    """A regular file's text, at most :data:`MAX_INPUT_BYTES`; never blocks on a FIFO or a device.

    The file is opened without waiting for a writer (a FIFO) and refused unless it is a regular
    file, so ``/dev/zero`` or a named pipe gets one line instead of a read that never ends.
    """
    article = "an" if kind[0] in "aeiou" else "a"
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise UserError(f"{path}: no such {kind}{nearby(Path(path))}") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not {article} {kind}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{path}: is a folder, not {article} {kind}")
        if not stat.S_ISREG(mode):
            raise UserError(
                f"{path}: is a {_file_type(mode)}, not {article} {kind}; give a regular file"
            )
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_INPUT_BYTES:
        raise UserError(
            f"{path}: larger than {MAX_INPUT_BYTES // 1024} KiB, too large for {article} {kind}"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _file_type(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


class _Validator:
    """Checks one file's data; every error names the file and the dotted key."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str) -> UserError:
        return UserError(f"{self.path}: {key}: {problem}")

    def experiment(self, data: dict[str, Any], text: str) -> Experiment:
        self.known_keys("", data, TOP_LEVEL_KEYS)
        name = self.name(data)
        preset = self.preset("preset", data.get("preset", DEFAULT_PRESET))
        fixed = self.parameter_table("fixed", data.get("fixed", {}))
        factors = self.factors(data.get("factors", {}), fixed)
        scenarios = self.scenarios(data.get("scenarios", []), preset)
        sampling = self.sampling(data.get("sampling", {}), factors, scenarios)
        self.ranges_fit(sampling["method"], factors)
        replications = self.count(
            data, "replications", DEFAULT_REPLICATIONS, low=1, high=MAX_REPLICATIONS
        )
        self.design_fits(sampling, factors, scenarios, replications)
        return Experiment(
            name=name,
            question=self.string(data, "question", ""),
            preset=preset,
            steps=self.count(data, "steps", DEFAULT_STEPS, low=1, high=MAX_STEPS),
            replications=replications,
            seed=self.count(data, "seed", DEFAULT_SEED, low=0),
            fixed=fixed,
            factors=factors,
            sampling=sampling,
            output=self.output(data.get("output", {})),
            text=text,
            path=self.path,
            scenarios=scenarios,
            sensitivity=self.sensitivity(data.get("sensitivity")),
            posterior=self.uncertainty(data.get("uncertainty")),
        )

    # ------------------------------------------------------------------ generic checks
    def known_keys(self, where: str, table: dict[str, Any], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                hint = did_you_mean(key, known)
                allowed = ", ".join(known)
                raise self.fail(_join(where, key), f"unknown key{hint} (allowed: {allowed})")

    def table(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table, got {_kind(value)}")
        return value

    def string(self, data: dict[str, Any], key: str, default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_kind(value)}")
        return value

    def count(
        self, data: dict[str, Any], key: str, default: int, low: int, high: int | None = None
    ) -> int:
        value = data.get(key, default)
        return self.integer(key, value, low, high)

    def integer(self, key: str, value: Any, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"expected an integer, got {_kind(value)}")
        if value < low:
            raise self.fail(key, f"must be at least {low}, got {value}")
        if high is not None and value > high:
            raise self.fail(key, f"must be at most {high:_}, got {value:_}")
        return value

    def name(self, data: dict[str, Any]) -> str:
        if "name" not in data:
            raise self.fail("name", "missing; every experiment needs a name (its results folder)")
        name = self.string(data, "name", "")
        if not _NAME_PATTERN.fullmatch(name):
            raise self.fail(
                "name",
                f"{name!r:.60} cannot name a results folder; use up to 100 letters, digits, "
                "'-', '_' and '.'",
            )
        return name

    def preset(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(key, f"expected a preset name, got {_kind(value)}")
        if value not in PRESETS:
            hint = did_you_mean(value, PRESETS)
            raise self.fail(key, f"unknown preset {value!r}{hint} (known: {', '.join(PRESETS)})")
        return value

    def parameter(self, key: str, name: str) -> registry.Parameter:
        if name not in registry.PARAMETERS:
            raise self.fail(key, registry.unknown_message(name))
        return registry.PARAMETERS[name]

    def value(self, key: str, parameter: registry.Parameter, value: Any) -> Any:
        try:
            return parameter.validate(value)
        except ValueError:
            raise self.fail(
                key, f"invalid value {_show(value)}; expected {parameter.allowed()}"
            ) from None

    def parameter_table(self, key: str, value: Any) -> dict[str, Any]:
        table = self.table(key, value)
        return {
            name: self.value(f"{key}.{name}", self.parameter(f"{key}.{name}", name), v)
            for name, v in table.items()
        }

    # ------------------------------------------------------------------ sections
    def factors(self, value: Any, fixed: dict[str, Any]) -> dict[str, Any]:
        factors = {}
        for name, spec in self.table("factors", value).items():
            key = f"factors.{name}"
            parameter = self.parameter(key, name)
            if name in fixed:
                raise self.fail(key, "also set in [fixed]; set it in one place")
            if isinstance(spec, list):
                factors[name] = self.value_list(key, parameter, spec)
            elif isinstance(spec, dict):
                factors[name] = self.value_range(key, parameter, spec)
            else:
                raise self.fail(
                    key,
                    f"expected a list of values or a range {{ min, max, n }}, got {_kind(spec)}",
                )
        return factors

    def value_list(self, key: str, parameter: registry.Parameter, values: list) -> list[Any]:
        if not values:
            raise self.fail(key, "empty factor: list at least one value")
        checked = [self.value(f"{key}[{i}]", parameter, v) for i, v in enumerate(values)]
        for i, v in enumerate(checked):
            if v in checked[:i]:
                raise self.fail(f"{key}[{i}]", f"value {_show(values[i])} is listed twice")
        return checked

    def value_range(self, key: str, parameter: registry.Parameter, spec: dict) -> dict[str, Any]:
        self.known_keys(key, spec, RANGE_KEYS)
        if parameter.kind not in ("float", "int"):
            raise self.fail(
                key,
                f"a range needs a numeric parameter; {parameter.name} is {parameter.kind}, "
                "list its values instead",
            )
        for bound in ("min", "max"):
            if bound not in spec:
                raise self.fail(key, f"a range needs {bound}")
        low = self.value(f"{key}.min", parameter, spec["min"])
        high = self.value(f"{key}.max", parameter, spec["max"])
        if low > high:
            raise self.fail(key, f"min ({_show(low)}) is above max ({_show(high)})")
        checked: dict[str, Any] = {"min": low, "max": high}
        if "n" in spec:
            n = spec["n"]
            if isinstance(n, int) and not isinstance(n, bool) and n < 1:
                raise self.fail(f"{key}.n", f"empty factor: n must be at least 1, got {n}")
            checked["n"] = self.integer(f"{key}.n", n, low=1, high=MAX_POINTS)
            if checked["n"] == 1 and low != high:
                raise self.fail(f"{key}.n", "n = 1 with min != max; list the one value instead")
        return checked

    def scenarios(self, value: Any, base_preset: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise self.fail("scenarios", "expected [[scenarios]] tables")
        checked, names = [], set()
        for i, raw in enumerate(value):
            key = f"scenarios[{i}]"
            table = self.table(key, raw)
            if "name" not in table:
                raise self.fail(key, "missing name")
            name = table["name"]
            if not isinstance(name, str) or not name.strip():
                raise self.fail(f"{key}.name", f"expected a non-empty string, got {_show(name)}")
            if name in names:
                raise self.fail(f"{key}.name", f"scenario {name!r} is named twice")
            names.add(name)
            key = f"scenarios.{name}"
            preset = self.preset(f"{key}.preset", table.get("preset", base_preset))
            scenario = {"name": name, "preset": preset}
            values = {k: v for k, v in table.items() if k not in ("name", "preset")}
            scenario.update(self.parameter_table(key, values))
            checked.append(scenario)
        return checked

    def sampling(
        self, value: Any, factors: dict[str, Any], scenarios: list[dict[str, Any]]
    ) -> dict[str, Any]:
        table = self.table("sampling", value)
        self.known_keys("sampling", table, ("method", "n"))
        method = table.get("method", "scenarios" if scenarios else "factorial")
        if not isinstance(method, str):
            raise self.fail("sampling.method", f"expected a string, got {_kind(method)}")
        if method not in SAMPLING_METHODS:
            hint = did_you_mean(method, SAMPLING_METHODS)
            known = ", ".join(SAMPLING_METHODS)
            raise self.fail("sampling.method", f"unknown method {method!r}{hint} (known: {known})")
        if method == "scenarios":
            if not scenarios:
                raise self.fail("scenarios", "sampling 'scenarios' needs [[scenarios]] tables")
            if factors:
                raise self.fail(
                    "factors", "not used with scenarios; set the values in each [[scenarios]]"
                )
        elif scenarios:
            raise self.fail(
                "scenarios", f"named scenarios need sampling 'scenarios', not {method!r}"
            )
        if method == "lhs":
            if "n" not in table:
                raise self.fail("sampling.n", "lhs needs n, the number of configurations")
            if not factors:
                raise self.fail("factors", "lhs needs at least one factor")
            n = self.integer("sampling.n", table["n"], low=1, high=MAX_POINTS)
            return {"method": method, "n": n}
        if "n" in table:
            raise self.fail("sampling.n", f"only used with lhs, not {method!r}")
        return {"method": method}

    def ranges_fit(self, method: str, factors: dict[str, Any]) -> None:
        if method != "factorial":
            return
        for name, spec in factors.items():
            if isinstance(spec, dict) and "n" not in spec:
                raise self.fail(f"factors.{name}", "a range needs n (how many values) here")

    def design_fits(
        self,
        sampling: dict[str, Any],
        factors: dict[str, Any],
        scenarios: list[dict[str, Any]],
        replications: int,
    ) -> None:
        """Refuse a design too large to run, counted before any point is built."""
        if sampling["method"] == "lhs":
            points, key = sampling["n"], "sampling.n"
        elif sampling["method"] == "scenarios":
            points, key = len(scenarios), "scenarios"
        else:
            sizes = [len(s) if isinstance(s, list) else s["n"] for s in factors.values()]
            points, key = math.prod(sizes), "factors"
        if points > MAX_POINTS:
            raise self.fail(key, f"the design has {points:_} points; at most {MAX_POINTS:_} fit")
        if points * replications > MAX_RUNS:
            raise self.fail(
                "replications",
                f"{points:_} points x {replications:_} replications is "
                f"{points * replications:_} runs; at most {MAX_RUNS:_} fit",
            )

    def output(self, value: Any) -> dict[str, Any]:
        table = self.table("output", value)
        self.known_keys("output", table, ("timeseries_every",))
        every = self.integer("output.timeseries_every", table.get("timeseries_every", 0), low=0)
        return {"timeseries_every": every}

    def sensitivity(self, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        table = self.table("sensitivity", value)
        self.known_keys("sensitivity", table, ("method", "n", "outcomes", "parameters"))
        checked: dict[str, Any] = {}
        if "method" in table:
            method = table["method"]
            if method not in SENSITIVITY_METHODS:
                known = ", ".join(SENSITIVITY_METHODS)
                raise self.fail("sensitivity.method", f"unknown method {_show(method)} ({known})")
            checked["method"] = method
        if "n" in table:
            checked["n"] = self.integer("sensitivity.n", table["n"], low=2)
        if "outcomes" in table:
            known = OUTCOME_NAMES + DIAGNOSTIC_NAMES
            checked["outcomes"] = self.names("sensitivity.outcomes", table["outcomes"], known)
        if "parameters" in table:
            names = self.names("sensitivity.parameters", table["parameters"], None)
            for i, name in enumerate(names):
                self.parameter(f"sensitivity.parameters[{i}]", name)
            checked["parameters"] = names
        return checked

    def uncertainty(self, value: Any) -> Posterior | None:
        if value is None:
            return None
        table = self.table("uncertainty", value)
        self.known_keys("uncertainty", table, ("posterior",))
        if "posterior" not in table:
            raise self.fail("uncertainty.posterior", "missing: name a calibration folder")
        path = table["posterior"]
        if not isinstance(path, str) or not path.strip():
            raise self.fail("uncertainty.posterior", f"expected a folder, got {_kind(path)}")
        try:
            return load_posterior(path)
        except UserError as exc:
            raise self.fail("uncertainty.posterior", str(exc)) from None

    def names(self, key: str, value: Any, known: tuple[str, ...] | None) -> list[str]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, "expected a non-empty list of names")
        for i, name in enumerate(value):
            if not isinstance(name, str):
                raise self.fail(f"{key}[{i}]", f"expected a name, got {_kind(name)}")
            if known is not None and name not in known:
                hint = did_you_mean(name, known, cutoff=0.5)
                raise self.fail(f"{key}[{i}]", f"unknown outcome {name!r}{hint}")
        return list(value)


# ---------------------------------------------------------------------- design helpers


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    kinds.update({list: "a list", dict: "a table"})
    return f"{kinds.get(type(value), type(value).__name__)} ({_show(value)})"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value)
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."
