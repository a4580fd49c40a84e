"""cxo-sim performance benchmarks (issue 5): one command, medians, ratios measured side by side.

    .venv/bin/python benchmarks/run.py            # full: about 6-8 minutes on 2 cores
    .venv/bin/python benchmarks/run.py --quick    # smoke run: about 1-2 minutes

Four sections, each printed as a Markdown table and written to ``benchmarks/results.md``:

- model: the default 156-week run (``simulate()`` with the registry defaults), every preset, and
  Mesa's own BoltzmannWealth example (``mesa.examples``, 100 agents, 156 steps) measured in
  the same process, interleaved run by run, as a reference; per run and per agent-step.
- scaling: time per week as the organisation grows 1x, 10x and 100x (marketers, engineers,
  capabilities and both budgets multiplied together), with the fitted exponent.
- sweeps: runs per second of ``cxo-sim sweep`` (2 workers and 1), of ``mesa.batch_run`` on
  ``CxOModel`` with the same configurations, run count and weeks, and of the bare limit (a plain
  ``ProcessPoolExecutor`` mapping ``simulate``, nothing stored); each contender in a fresh
  process, interleaved round by round.
- memory: peak memory of a ``cxo-sim sweep`` at 1x and 10x the runs.

An agent-step is one agent present for one week (executives, marketers, engineers, the liaison
and every active tool); Boltzmann's is one of its 100 agents for one step. Timings are
wall-clock medians; CPU-time medians are shown beside them because other work on the machine
inflates wall-clock time (the load average is recorded with the results); the default run's
budget is judged on CPU time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CONTENDERS = HERE / "contenders.py"
WEEKS = 156

# Targets of issue 5 on a 2-core machine.
TARGET_DEFAULT_RUN_S = 0.05  # issue 10: a default run at most 50 ms
TARGET_EXPONENT = 1.1
TARGET_VS_BARE = 0.9
TARGET_VS_BATCH_RUN = 1.5
# The long sweep has this many times the replications of the main sweep comparison.
LONG_SWEEP_FACTOR = 5
TARGET_TWO_WORKERS = 1.7
TARGET_MEMORY_GROWTH = 0.20


@dataclass(frozen=True)
class Plan:
    """How much to measure.

    Attributes:
        model_seeds: seeds of the default run (each also runs Boltzmann once).
        preset_seeds: seeds per preset.
        scale_repeats: runs per organisation size.
        scale_weeks: weeks timed per scaling run.
        sweep_replications: replications of each of the three configurations of the sweep.
        sweep_rounds: rounds of the four sweep contenders.
        long_sweep_rounds: rounds of the sweep and batch_run on five times the runs.
        memory_replications: replications at 1x in the memory section (10x is ten times that).
        memory_repeats: sweeps per size in the memory section.
    """

    model_seeds: int
    preset_seeds: int
    scale_repeats: int
    scale_weeks: int
    sweep_replications: int
    sweep_rounds: int
    long_sweep_rounds: int
    memory_replications: int
    memory_repeats: int


FULL = Plan(31, 7, 5, 52, 80, 5, 3, 20, 2)
QUICK = Plan(9, 3, 3, 52, 20, 2, 1, 8, 1)
SIZES = (1, 10, 100)


@dataclass
class Report:
    """The tables and the verdicts, printed and written as Markdown."""

    sections: list[str] = field(default_factory=list)
    verdicts: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def table(self, title: str, header: list[str], rows: list[list[str]], note: str = "") -> None:
        lines = [f"## {title}", "", "| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        if note:
            lines += ["", note]
        text = "\n".join(lines)
        self.sections.append(text)
        print(text + "\n", flush=True)

    def verdict(self, target: str, measured: str, threshold: str, holds: bool) -> None:
        self.verdicts.append((target, measured, threshold, holds))

    def markdown(self, header: str) -> str:
        rows = [
            f"| {t} | {m} | {th} | {'yes' if ok else '**no**'} |" for t, m, th, ok in self.verdicts
        ]
        targets = "\n".join(
            ["## Targets", "", "| target | measured | required | holds |", "|---|---:|---:|---|"]
            + rows
        )
        return "\n\n".join([header, targets, *self.sections]) + "\n"


# ---------------------------------------------------------------------- helpers
def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


def timed(fn) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of ``fn()``, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def fit_exponent(sizes: list[float], times: list[float]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return head + (" (src has uncommitted changes)" if dirty else "")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# ---------------------------------------------------------------------- model
def agent_steps(model_factory, weeks: int = WEEKS) -> int:
    """Agents present summed over the weeks of one run (an untimed replay of the same seed)."""
    model = model_factory()
    total = 0
    for _ in range(weeks):
        model.step()
        total += len(model.agents)
    return total


def boltzmann(seed: int) -> object:
    """Mesa's BoltzmannWealth with 100 agents: ``seed=`` up to Mesa 3.4, a scenario in 3.5."""
    import inspect

    from mesa.examples import BoltzmannWealth

    if "seed" in inspect.signature(BoltzmannWealth).parameters:
        return BoltzmannWealth(seed=seed)
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario

    return BoltzmannWealth(scenario=BoltzmannScenario(rng=seed))


def boltzmann_run(seed: int) -> object:
    model = boltzmann(seed)
    for _ in range(WEEKS):
        model.step()
    return model


def bench_model(plan: Plan, report: Report) -> None:
    from cxo_sim import PRESETS, CxOModel, simulate

    simulate(seed=10_000)  # warm-up: imports, caches
    boltzmann_run(10_000)
    cxo_wall, cxo_cpu, cxo_us, bw_wall, bw_cpu, bw_us = [], [], [], [], [], []
    for seed in range(plan.model_seeds):
        wall, cpu, _ = timed(lambda s=seed: simulate(seed=s))
        steps = agent_steps(lambda s=seed: CxOModel(seed=s))
        cxo_wall.append(wall)
        cxo_cpu.append(cpu)
        cxo_us.append(wall / steps * 1e6)
        wall, cpu, _ = timed(lambda s=seed: boltzmann_run(s))
        steps = agent_steps(lambda s=seed: boltzmann(s))
        bw_wall.append(wall)
        bw_cpu.append(cpu)
        bw_us.append(wall / steps * 1e6)
    rows = [
        [
            "cxo-sim default run (`simulate()`)",
            fmt(median(cxo_wall) * 1e3),
            fmt(median(cxo_cpu) * 1e3),
            fmt(median(cxo_us), 2),
        ],
        [
            "Mesa BoltzmannWealth (100 agents)",
            fmt(median(bw_wall) * 1e3),
            fmt(median(bw_cpu) * 1e3),
            fmt(median(bw_us), 2),
        ],
        [
            "ratio cxo-sim / Boltzmann",
            fmt(median(cxo_wall) / median(bw_wall), 2) + "x",
            fmt(median(cxo_cpu) / median(bw_cpu), 2) + "x",
            fmt(median(cxo_us) / median(bw_us), 2) + "x",
        ],
    ]
    for name, params in PRESETS.items():
        walls, cpus, uss = [], [], []
        for seed in range(plan.preset_seeds):
            wall, cpu, _ = timed(lambda s=seed, p=params: simulate(seed=s, **p))
            steps = agent_steps(lambda s=seed, p=params: CxOModel(seed=s, **p))
            walls.append(wall)
            cpus.append(cpu)
            uss.append(wall / steps * 1e6)
        rows.append(
            [
                f"preset `{name}`",
                fmt(median(walls) * 1e3),
                fmt(median(cpus) * 1e3),
                fmt(median(uss), 2),
            ]
        )
    report.table(
        f"Model: one {WEEKS}-week run",
        ["run", "ms per run (wall)", "ms per run (CPU)", "us per agent-step"],
        rows,
        f"Medians over {plan.model_seeds} seeds for the default run and Boltzmann (alternating "
        f"in one process) and {plan.preset_seeds} seeds per preset.",
    )
    # Judged on CPU time: on a shared machine, wall-clock time also counts other work's turns.
    default_s = median(cxo_cpu)
    report.verdict(
        "default 156-week run",
        f"{default_s * 1e3:.0f} ms of CPU ({median(cxo_wall) * 1e3:.0f} ms wall-clock)",
        f"<= {TARGET_DEFAULT_RUN_S * 1e3:.0f} ms",
        default_s <= TARGET_DEFAULT_RUN_S,
    )


# ---------------------------------------------------------------------- scaling
def scaled_params(factor: int) -> dict:
    """The registry defaults with the organisation (and its budgets) ``factor`` times larger."""
    from cxo_sim.params import DEFAULTS

    return {
        "n_marketers": DEFAULTS["n_marketers"] * factor,
        "n_engineers": DEFAULTS["n_engineers"] * factor,
        "n_capabilities": DEFAULTS["n_capabilities"] * factor,
        "martech_budget": DEFAULTS["martech_budget"] * factor,
        "marketing_discretionary": DEFAULTS["marketing_discretionary"] * factor,
    }


def bench_scaling(plan: Plan, report: Report) -> None:
    from cxo_sim import CxOModel
    from cxo_sim.model.agents import Tool

    walls: dict[int, list[float]] = {k: [] for k in SIZES}
    cpus: dict[int, list[float]] = {k: [] for k in SIZES}
    shape: dict[int, tuple[int, int, float]] = {}
    for repeat in range(plan.scale_repeats):
        for k in SIZES:
            model = CxOModel(seed=repeat, **scaled_params(k))

            def weeks(m=model) -> None:
                for _ in range(plan.scale_weeks):
                    m.step()

            wall, cpu, _ = timed(weeks)
            walls[k].append(wall / plan.scale_weeks)
            cpus[k].append(cpu / plan.scale_weeks)
            if repeat == 0:
                tools = len(model.agents_by_type.get(Tool, ()))
                staff = len(model.agents) - tools
                shape[k] = (staff, tools, model.tally["campaigns_launched"])
    wall_med = [median(walls[k]) for k in SIZES]
    cpu_med = [median(cpus[k]) for k in SIZES]
    exponent = fit_exponent(list(SIZES), wall_med)
    cpu_exponent = fit_exponent(list(SIZES), cpu_med)
    rows = []
    for i, k in enumerate(SIZES):
        staff, tools, launched = shape[k]
        rows.append(
            [
                f"{k}x",
                f"{staff:,}",
                f"{tools:,}",
                f"{launched:,.0f}",
                fmt(wall_med[i] * 1e3, 2),
                fmt(cpu_med[i] * 1e3, 2),
                fmt(wall_med[i] / wall_med[0], 1) + "x",
            ]
        )
    pairs = ", ".join(
        f"{SIZES[i]}x to {SIZES[i + 1]}x: {fit_exponent(SIZES[i : i + 2], wall_med[i : i + 2]):.2f}"
        for i in range(len(SIZES) - 1)
    )
    report.table(
        "Scaling: time per week as the organisation grows",
        [
            "size",
            "staff",
            "tools (week 52)",
            "campaigns launched",
            "ms per week (wall)",
            "ms per week (CPU)",
            "vs 1x",
        ],
        rows,
        f"Registry defaults with n_marketers, n_engineers, n_capabilities, martech_budget and "
        f"marketing_discretionary multiplied by the size; weeks 1-{plan.scale_weeks} timed; "
        f"medians over {plan.scale_repeats} seeds. Fitted exponent (log-log least squares, "
        f"1x-100x): **{exponent:.2f}** wall-clock, {cpu_exponent:.2f} CPU; pairwise {pairs}.",
    )
    report.verdict(
        "per-week cost exponent, 1x to 100x",
        f"{exponent:.2f}",
        f"<= {TARGET_EXPONENT}",
        exponent <= TARGET_EXPONENT,
    )


# ---------------------------------------------------------------------- sweeps
def experiment_text(name: str, replications: int) -> str:
    return (
        f'name = "{name}"\n'
        'question = "How fast do sweeps run? (benchmarks/run.py)"\n'
        'preset = "old_world"\n'
        f"steps = {WEEKS}\n"
        f"replications = {replications}\n"
        "seed = 20261123\n"
        "[factors]\n"
        'budget_owner = ["cio", "cmo", "shared"]\n'
        "[output]\n"
        "timeseries_every = 0\n"
    )


def run_contender(
    mode: str, experiment: Path, workers: int, out: Path, sample_memory: bool = False
) -> dict:
    """Run one contender in a fresh process; with ``sample_memory``, track its peak memory."""
    command = [sys.executable, str(CONTENDERS), mode, str(experiment), str(workers), str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peaks = {"tree_pss": 0, "tree_rss": 0, "main_rss": 0}
    if sample_memory:
        peaks = sample_peaks(process)
    stdout, _ = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{mode} failed with status {process.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result.update(peaks)
    return result


def sample_peaks(process: subprocess.Popen, interval: float = 0.1) -> dict:
    """Peak memory of a process and all its descendants, sampled until it exits.

    PSS (proportional set size) shares the pages forked workers have in common with their
    parent among them, so the sum over the tree is the memory the sweep really holds.
    """
    import psutil

    root = psutil.Process(process.pid)
    peaks = {"tree_pss": 0, "tree_rss": 0, "main_rss": 0}
    while process.poll() is None:
        pss = rss = 0
        try:
            members = [root, *root.children(recursive=True)]
            for member in members:
                try:
                    info = member.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                pss += getattr(info, "pss", info.rss)
                rss += info.rss
                if member.pid == root.pid:
                    peaks["main_rss"] = max(peaks["main_rss"], info.rss)
        except psutil.NoSuchProcess:
            break
        peaks["tree_pss"] = max(peaks["tree_pss"], pss)
        peaks["tree_rss"] = max(peaks["tree_rss"], rss)
        time.sleep(interval)
    return peaks


def bench_sweeps(plan: Plan, report: Report, workers: int, scratch: Path) -> None:
    experiment = scratch / "sweep.toml"
    experiment.write_text(experiment_text("benchmark-sweep", plan.sweep_replications))
    runs = 3 * plan.sweep_replications
    sweep = ("sweep", workers)
    contenders = [("bare", workers), sweep, ("batch_run", workers), ("sweep", 1)]
    seconds, loads = race(contenders, plan.sweep_rounds, experiment, runs, scratch)
    labels = {
        ("bare", workers): f"bare limit: `ProcessPoolExecutor({workers}).map(simulate)`",
        sweep: f"`cxo-sim sweep --workers {workers}`",
        ("batch_run", workers): f"`mesa.batch_run(number_processes={workers})`",
        ("sweep", 1): "`cxo-sim sweep --workers 1`",
    }
    lead = {c: paired_ratios(seconds[c], seconds[sweep]) for c in contenders}
    rows = [
        [
            labels[c],
            fmt(median(seconds[c]), 2),
            fmt(runs / median(seconds[c]), 2),
            spread(lead[c]),
        ]
        for c in contenders
    ]
    report.table(
        f"Sweeps: {runs} runs of {WEEKS} weeks",
        ["contender", "seconds", "runs per second", f"sweep ({workers} workers) vs this"],
        rows,
        f"Preset old_world x budget_owner in (cio, cmo, shared) x {plan.sweep_replications} "
        f"replications, no time series. Each contender runs in a fresh process; the clock starts "
        f"after the imports they share, so worker start-up counts. {plan.sweep_rounds} rounds, "
        f"contenders one after another within each round; seconds are medians, and each ratio "
        f"is the median (with the range) of the rounds' ratios, so that the machine's speed, "
        f"which drifts over minutes on a shared host, cancels within a round. 1-minute load "
        f"average as each contender started: median {median(loads):.2f}, highest "
        f"{max(loads):.2f} ({os.cpu_count()} cores); other work on the machine takes cores "
        f"from the workers and shrinks the speed-up of {workers} workers over 1 first.",
    )
    vs_bare = median(lead[("bare", workers)])
    vs_batch = median(lead[("batch_run", workers)])
    scale = median(lead[("sweep", 1)])
    vs_batch_long, long_runs = bench_long_sweep(plan, report, workers, scratch)
    bench_run_work(plan, report, experiment)
    report.verdict(
        "sweep throughput vs bare limit",
        f"{vs_bare:.2f}x",
        f">= {TARGET_VS_BARE}x",
        vs_bare >= TARGET_VS_BARE,
    )
    report.verdict(
        "sweep throughput vs mesa.batch_run",
        f"{vs_batch:.2f}x ({runs} runs), {vs_batch_long:.2f}x ({long_runs} runs)",
        f">= {TARGET_VS_BATCH_RUN}x",
        min(vs_batch, vs_batch_long) >= TARGET_VS_BATCH_RUN,
    )
    report.verdict(
        f"sweep speed-up, {workers} workers vs 1",
        f"{scale:.2f}x",
        f">= {TARGET_TWO_WORKERS}x",
        scale >= TARGET_TWO_WORKERS,
    )


def race(
    contenders: list[tuple[str, int]], rounds: int, experiment: Path, runs: int, scratch: Path
) -> tuple[dict[tuple[str, int], list[float]], list[float]]:
    """Each contender once per round, in turn: seconds per contender and round, and the loads."""
    seconds: dict[tuple[str, int], list[float]] = {c: [] for c in contenders}
    loads = []
    for _ in range(rounds):
        for mode, n in contenders:
            loads.append(os.getloadavg()[0])
            result = run_contender(mode, experiment, n, scratch / "results")
            if result["runs"] != runs:
                raise RuntimeError(f"{mode} did {result['runs']} runs, expected {runs}")
            seconds[(mode, n)].append(result["seconds"])
    return seconds, loads


def paired_ratios(other: list[float], sweep: list[float]) -> list[float]:
    """The sweep's throughput over another contender's, round by round."""
    return [o / s for o, s in zip(other, sweep, strict=True)]


def spread(ratios: list[float]) -> str:
    """A median ratio with its range over the rounds, e.g. "1.84x (1.70-1.95)"."""
    text = f"{median(ratios):.2f}x"
    if len(ratios) > 1:
        text += f" ({min(ratios):.2f}-{max(ratios):.2f})"
    return text


def bench_long_sweep(plan: Plan, report: Report, workers: int, scratch: Path) -> tuple[float, int]:
    """The sweep against ``mesa.batch_run`` on five times the runs, where start-up weighs less.

    Returns the sweep's throughput over batch_run's (median of the rounds), and the runs.
    """
    replications = LONG_SWEEP_FACTOR * plan.sweep_replications
    runs = 3 * replications
    experiment = scratch / "sweep-long.toml"
    experiment.write_text(experiment_text("benchmark-sweep-long", replications))
    sweep, batch = ("sweep", workers), ("batch_run", workers)
    seconds, loads = race([sweep, batch], plan.long_sweep_rounds, experiment, runs, scratch)
    lead = paired_ratios(seconds[batch], seconds[sweep])
    rows = [
        [label, fmt(median(seconds[c]), 2), fmt(runs / median(seconds[c]), 2), ratio]
        for c, label, ratio in (
            (sweep, f"`cxo-sim sweep --workers {workers}`", "1.00x"),
            (batch, f"`mesa.batch_run(number_processes={workers})`", spread(lead)),
        )
    ]
    report.table(
        f"Sweeps: {runs} runs of {WEEKS} weeks",
        ["contender", "seconds", "runs per second", f"sweep ({workers} workers) vs this"],
        rows,
        f"The sweep above with {LONG_SWEEP_FACTOR}x the replications, where worker start-up "
        f"weighs less; {plan.long_sweep_rounds} rounds, medians and round-by-round ratios as "
        f"above. 1-minute load average as each contender started: median {median(loads):.2f}, "
        f"highest {max(loads):.2f}.",
    )
    return median(lead), runs


def bench_run_work(plan: Plan, report: Report, experiment: Path) -> None:
    """CPU time of one run as each contender's worker does it, alternating in this process.

    Other work on the machine inflates wall-clock throughput and hides the difference between
    contenders; the CPU time of the same runs done the three ways does not.
    """
    from functools import partial

    from mesa.batchrunner import _model_run_func

    from cxo_sim import CxOModel, simulate
    from cxo_sim.compat import batch_run_max_steps
    from cxo_sim.experiments.plan import plan_runs
    from cxo_sim.experiments.runner import execute_run
    from cxo_sim.experiments.spec import load_experiment

    spec = load_experiment(experiment)
    runs = list(
        plan_runs(
            spec.points(), steps=spec.steps, replications=spec.replications, base_seed=spec.seed
        )
    )
    runs = runs[:: max(1, len(runs) // (3 * plan.model_seeds))]
    batch = partial(
        _model_run_func,
        CxOModel,
        max_steps=batch_run_max_steps(spec.steps),
        data_collection_period=-1,
    )
    ways = {
        "sweep worker (`execute_run`)": lambda r: execute_run(r),
        "bare limit (`simulate`)": lambda r: simulate(
            steps=r.steps, seed=r.seed, diagnostics=True, **r.params
        ),
        "`mesa.batch_run` worker (`_model_run_func`)": lambda r: batch(
            (r.run_id, 0, {**r.params, "seed": r.seed})
        ),
    }
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for run in runs:
        for name, way in ways.items():
            cpu[name].append(timed(lambda w=way, r=run: w(r))[1])
    sweep = median(cpu["sweep worker (`execute_run`)"])
    rows = [
        [name, fmt(median(times) * 1e3), fmt(median(times) / sweep, 2) + "x"]
        for name, times in cpu.items()
    ]
    report.table(
        "Sweeps: the work of one run, CPU time in one process",
        ["run done as", "CPU ms per run", "vs sweep worker"],
        rows,
        f"The same {len(runs)} runs of the sweep above, each done the three ways in turn.",
    )


def bench_memory(plan: Plan, report: Report, workers: int, scratch: Path) -> None:
    rows = []
    peaks: dict[int, dict[str, float]] = {}
    for factor in (1, 10):
        replications = plan.memory_replications * factor
        experiment = scratch / f"memory-{factor}x.toml"
        experiment.write_text(experiment_text(f"benchmark-memory-{factor}x", replications))
        results = [
            run_contender("sweep", experiment, workers, scratch / "results", sample_memory=True)
            for _ in range(plan.memory_repeats)
        ]
        peaks[factor] = {
            key: median([r[key] for r in results]) / 2**20
            for key in ("tree_pss", "tree_rss", "main_rss")
        }
        rows.append(
            [
                f"{factor}x ({3 * replications} runs)",
                fmt(peaks[factor]["tree_pss"]),
                fmt(peaks[factor]["tree_rss"]),
                fmt(peaks[factor]["main_rss"]),
                fmt(median([r["seconds"] for r in results]), 1),
            ]
        )
    growth = {key: peaks[10][key] / peaks[1][key] - 1 for key in peaks[1]}
    rows.append(
        [
            "growth 1x to 10x",
            f"{growth['tree_pss']:+.1%}",
            f"{growth['tree_rss']:+.1%}",
            f"{growth['main_rss']:+.1%}",
            "",
        ]
    )
    report.table(
        f"Memory: peak of a `cxo-sim sweep --workers {workers}`",
        [
            "runs",
            "process tree, PSS (MiB)",
            "process tree, RSS (MiB)",
            "main process, RSS (MiB)",
            "seconds",
        ],
        rows,
        f"Sampled every 0.1 s over the sweep's process and its workers (forked from it); median "
        f"of {plan.memory_repeats} sweep(s) per size. PSS counts pages the workers share with the "
        f"sweep's process once; RSS counts them in every process.",
    )
    report.verdict(
        "sweep peak memory growth, 10x the runs",
        f"{growth['tree_pss']:+.1%}",
        f"< {TARGET_MEMORY_GROWTH:+.0%}",
        growth["tree_pss"] < TARGET_MEMORY_GROWTH,
    )


# ---------------------------------------------------------------------- main
def wait_for_quiet(minutes: float, threshold: float = 0.5) -> None:
    """Wait up to ``minutes`` for the 1-minute load average to fall below ``threshold``."""
    deadline = time.monotonic() + 60 * minutes
    while os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sweeps")
    parser.add_argument(
        "--only",
        default="model,scaling,sweeps,memory",
        help="comma-separated sections to run (default: all)",
    )
    parser.add_argument("--workers", type=int, default=2, help="sweep workers (default 2)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="MINUTES",
        help="before the sweeps, wait up to this long for the load average to drop below 0.5",
    )
    parser.add_argument(
        "--out", default=str(HERE / "results.md"), help="results file (default benchmarks/)"
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    sections = set(args.only.split(","))

    import mesa

    import cxo_sim

    started = time.perf_counter()
    load_before = load_average()
    report = Report()
    with tempfile.TemporaryDirectory(prefix="cxo-bench-") as scratch:
        if "model" in sections:
            bench_model(plan, report)
        if "scaling" in sections:
            bench_scaling(plan, report)
        if "sweeps" in sections:
            wait_for_quiet(args.wait_idle)
            bench_sweeps(plan, report, args.workers, Path(scratch))
        if "memory" in sections:
            bench_memory(plan, report, args.workers, Path(scratch))
    minutes = (time.perf_counter() - started) / 60
    mode = "--quick" if args.quick else "full"
    header = "\n".join(
        [
            "# cxo-sim benchmarks",
            "",
            f"`.venv/bin/python benchmarks/run.py{' --quick' if args.quick else ''}` "
            f"({mode}, {minutes:.1f} min), {time.strftime('%Y-%m-%d %H:%M')}.",
            "",
            f"- machine: {os.cpu_count()} cores ({cpu_name()}), {platform.system()} "
            f"{platform.release()}",
            f"- software: Python {platform.python_version()}, Mesa {mesa.__version__}, "
            f"cxo-sim {cxo_sim.__version__} at {git_revision()}",
            f"- package imported from: {Path(cxo_sim.__file__).parent}",
            f"- load average (1, 5, 15 min) before: {load_before}; after: {load_average()}",
        ]
    )
    text = report.markdown(header)
    Path(args.out).write_text(text, encoding="utf-8")
    print("## Targets\n")
    for target, measured, threshold, holds in report.verdicts:
        print(f"- {target}: {measured} (required {threshold}): {'holds' if holds else 'MISSED'}")
    print(f"\nwritten to {args.out} in {minutes:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
