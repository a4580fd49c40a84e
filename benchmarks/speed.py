"""The default run before and after a speed-up, large firms, an analysis of everything (issue 24).

    .venv/bin/python benchmarks/speed.py model --before /tmp/before   # CPU ms, interleaved
    .venv/bin/python benchmarks/speed.py instructions --before /tmp/before   # needs valgrind
    .venv/bin/python benchmarks/speed.py large        # a week at 1,000 marketers vs the default
    .venv/bin/python benchmarks/speed.py sobol        # the grouped Sobol of everything, timed

``--before TREE`` names another source tree (``git archive <commit> src | tar -x -C TREE``) to
measure beside this one; the results are the same to the bit (``benchmarks/fingerprint.py``),
so the two do the very same work.

- **model**: each round starts one fresh process per tree, in turn; each imports its tree, makes
  an untimed run, then times ``--runs`` default 156-week runs (``simulate(seed=s)``, registry
  defaults: the ``old_world`` preset) alternating with Mesa's BoltzmannWealth (100 agents, 156
  steps) in the same process. CPU-time medians over every timed run, the ratio of the medians,
  and microseconds per agent-step beside Boltzmann's. On a shared machine CPU time still moves
  with the load (the other tenant's turns on the same cores slow the caches); only ratios of
  interleaved rounds, and instruction counts, are worth quoting.
- **instructions**: ``valgrind --tool=callgrind`` counts the instructions of a process that
  imports the model and makes one untimed run, then of one that also makes ``--runs`` default
  runs: the difference over ``--runs`` is the work of one run, which load does not move. Slow
  (valgrind runs the interpreter about 50 times slower): a minute or two per tree.
- **large**: CPU milliseconds per week over weeks 1-156 of the default organisation and of one
  50 times as large (1,000 marketers; engineers, capabilities and both budgets multiplied
  alike), interleaved in one process; the issue's target is at most 50 times the default week.
- **sobol**: ``cxo-sim sensitivity --everything --method sobol`` at a reduced base size: the
  runs of ``--n`` (default 4) x 19 points x ``--replications`` (default 2), each timed in CPU
  time in this process as a worker does it, SALib's grouped analysis timed at N = 1024 on a
  synthetic outcome (it does not depend on the model), and the time of larger designs on
  ``--workers`` cores (default 2) extrapolated from the mean run. A 20-minute job is not run on
  a shared machine to measure it; the extrapolation is linear in runs, which holds for a design
  whose points are independent runs on a pool that stays busy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

MODEL_WORKER = """
import json, sys, time
sys.path.insert(0, sys.argv[1] + "/src")
sys.path.insert(0, sys.argv[4])
from cxo_sim import CxOModel, simulate
from run import agent_steps, boltzmann, boltzmann_run
first, runs = int(sys.argv[2]), int(sys.argv[3])
simulate(seed=10_000)
boltzmann_run(10_000)
cxo, bw, cxo_us, bw_us = [], [], [], []
for seed in range(first, first + runs):
    start = time.process_time()
    simulate(seed=seed)
    cxo.append(time.process_time() - start)
    cxo_us.append(cxo[-1] / agent_steps(lambda: CxOModel(seed=seed)) * 1e6)
    start = time.process_time()
    boltzmann_run(seed)
    bw.append(time.process_time() - start)
    bw_us.append(bw[-1] / agent_steps(lambda: boltzmann(seed)) * 1e6)
import cxo_sim
print(json.dumps({"cxo": cxo, "bw": bw, "cxo_us": cxo_us, "bw_us": bw_us, "src": cxo_sim.__file__}))
"""

COUNT_WORKER = """
import sys
sys.path.insert(0, sys.argv[1] + "/src")
from cxo_sim import simulate
simulate(seed=10_000)
for seed in range(int(sys.argv[2])):
    simulate(seed=seed)
"""

SIZES = (
    "n_marketers",
    "n_engineers",
    "n_capabilities",
    "martech_budget",
    "marketing_discretionary",
)
LARGE = 50
FULL_N, FULL_REPLICATIONS = 1024, 4


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def trees(args: argparse.Namespace) -> list[str]:
    """The source trees to measure: ``--before`` (if given) first, then this one."""
    return ([str(Path(args.before).resolve())] if args.before else []) + [str(ROOT)]


def bench_model(args: argparse.Namespace) -> None:
    seen: dict[str, dict[str, list[float]]] = {}
    before = load_average()
    for round_ in range(args.rounds):
        for tree in trees(args):
            out = subprocess.run(
                [sys.executable, "-c", MODEL_WORKER, tree, str(round_ * args.runs),
                 str(args.runs), str(HERE)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            result = json.loads(out.strip().splitlines()[-1])
            entry = seen.setdefault(tree, {k: [] for k in ("cxo", "bw", "cxo_us", "bw_us")})
            for key in entry:
                entry[key] += result[key]
    print(
        f"{args.rounds} rounds x {args.runs} runs per tree, interleaved; load average before "
        f"{before}, after {load_average()}\n"
    )
    print("| source | CPU ms per default run (median) | range | vs first | us per agent-step "
          "| Boltzmann us per agent-step | cxo-sim / Boltzmann per agent-step |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    reference = statistics.median(seen[trees(args)[0]]["cxo"])
    for tree, entry in seen.items():
        ms = [c * 1e3 for c in entry["cxo"]]
        us, bw_us = statistics.median(entry["cxo_us"]), statistics.median(entry["bw_us"])
        print(
            f"| {tree} | {statistics.median(ms):.2f} | {min(ms):.1f}-{max(ms):.1f} | "
            f"{statistics.median(entry['cxo']) / reference:.3f}x | {us:.2f} | {bw_us:.2f} | "
            f"{us / bw_us:.2f}x |"
        )


def instructions(tree: str, runs: int) -> int:
    """Instructions (callgrind's Ir) of a process that imports the model and makes 1 + ``runs``."""
    with tempfile.TemporaryDirectory(prefix="cxo-ir-") as scratch:
        out = Path(scratch) / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
             "-c", COUNT_WORKER, tree, str(runs)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"},
        )  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"valgrind failed: {done.stderr.strip()[-500:]}")
        for line in done.stderr.splitlines():
            if "Collected :" in line:
                return int(line.split(":")[-1].strip())
    raise SystemExit("callgrind printed no instruction count")


def bench_instructions(args: argparse.Namespace) -> None:
    print(f"instructions per default run: callgrind, 1 + {args.runs} runs minus 1 run (seeds "
          f"0-{args.runs - 1})\n")  # fmt: skip
    print("| source | M instructions per run | vs first |")
    print("|---|---:|---:|")
    first = None
    for tree in trees(args):
        per_run = (instructions(tree, args.runs) - instructions(tree, 0)) / args.runs
        first = first or per_run
        print(f"| {tree} | {per_run / 1e6:.1f} | {per_run / first:.3f}x |", flush=True)


def bench_large(args: argparse.Namespace) -> None:
    from cxo_sim import CxOModel
    from cxo_sim.params import DEFAULTS

    def per_week(factor: int, seed: int) -> float:
        model = CxOModel(seed=seed, **{name: DEFAULTS[name] * factor for name in SIZES})
        model.collect_series = False
        start = time.process_time()
        for _ in range(args.weeks):
            model.step()
        return (time.process_time() - start) / args.weeks

    per_week(1, 10_000)
    small, large = [], []
    for seed in range(args.repeats):
        # Several default runs to each large one, so that both see the same minutes of load.
        small += [per_week(1, seed * 10 + i) for i in range(5)]
        large.append(per_week(LARGE, seed))
    s, g = statistics.median(small), statistics.median(large)
    print(
        f"| organisation | CPU ms per week (median, weeks 1-{args.weeks}) | vs default |\n"
        f"|---|---:|---:|\n"
        f"| default ({DEFAULTS['n_marketers']} marketers) | {s * 1e3:.3f} | 1x |\n"
        f"| {LARGE}x ({DEFAULTS['n_marketers'] * LARGE:,} marketers) | {g * 1e3:.2f} | "
        f"{g / s:.1f}x (target <= {LARGE}x) |\n\n"
        f"{args.repeats} large runs, {len(small)} default runs, interleaved; load average "
        f"{load_average()}"
    )


def bench_sobol(args: argparse.Namespace) -> None:
    import numpy as np
    from SALib.analyze import sobol as sobol_analyze

    from cxo_sim.analysis.sensitivity import design_points, everything_problem, sample
    from cxo_sim.experiments.plan import run_seed
    from cxo_sim.model import run_one

    class Experiment:
        preset, fixed, name, replications, steps, seed = "old_world", {}, "bench", 1, 156, 1

    problem = everything_problem(Experiment)
    points = sample(problem, "sobol", args.n, seed=1)
    sets = problem.parameter_sets(points)
    # The runs of the reduced design, one after another in this process, in CPU time: what
    # a worker of the analysis does for each (the pool adds nothing per run, docs/PERFORMANCE.md).
    cpu = []
    for params in sets:
        constants = params.pop("constants")
        for replication in range(args.replications):
            start = time.process_time()
            run_one(params, seed=run_seed(1, replication), constants=constants)
            cpu.append(time.process_time() - start)
    per_run = statistics.fmean(cpu)
    full_points = design_points(problem, "sobol", FULL_N)
    y = np.random.default_rng(1).normal(size=full_points)
    start = time.process_time()
    sobol_analyze.analyze(problem.salib(), y, calc_second_order=False, num_resamples=1000,
                          seed=1)  # fmt: skip
    analysis = time.process_time() - start
    outcomes = 6  # the command's default outcomes, each analysed once
    print(
        f"grouped Sobol of everything: {len(problem.factors)} factors in {len(problem.labels)} "
        f"groups. Reduced design N = {args.n}: {len(sets)} points x {args.replications} "
        f"replications = {len(cpu)} runs of 156 weeks, {sum(cpu):.1f} s of CPU in this process: "
        f"{per_run * 1e3:.1f} ms per run on average (median {statistics.median(cpu) * 1e3:.1f}, "
        f"max {max(cpu) * 1e3:.0f}: the parameters' ranges include firms with many more ideas "
        f"and tools than the default). SALib's grouped analysis of one outcome at N = {FULL_N} "
        f"({full_points:,} points, 1,000 bootstrap resamples): {analysis:.1f} s of CPU.\n"
    )
    print(f"| design | points | runs | minutes on {args.workers} cores (extrapolated) |")
    print("|---|---:|---:|---:|")
    for n, replications in ((FULL_N, FULL_REPLICATIONS), (512, 4), (256, 4), (256, 2)):
        full = design_points(problem, "sobol", n)
        runs = full * replications
        minutes = (runs * per_run / args.workers + analysis * full / full_points * outcomes) / 60
        print(f"| N = {n}, {replications} replications | {full:,} | {runs:,} | {minutes:.1f} |")
    print(
        f"\nLoad average {load_average()}; CPU time, not wall time, so that other work on a "
        "shared machine counts less; the minutes assume the cores are the analysis's own."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["model", "instructions", "large", "sobol"])
    parser.add_argument("--before", default=None, help="another source tree to measure beside")
    parser.add_argument("--rounds", type=int, default=8, help="model: rounds (default 8)")
    parser.add_argument("--runs", type=int, default=None, help="runs per process or count")
    parser.add_argument("--weeks", type=int, default=156, help="large: weeks (default 156)")
    parser.add_argument("--repeats", type=int, default=3, help="large: large runs (default 3)")
    parser.add_argument("--n", type=int, default=4, help="sobol: reduced base size (default 4)")
    parser.add_argument("--replications", type=int, default=2, help="sobol: (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="sobol: workers (default 2)")
    args = parser.parse_args(argv)
    if args.what == "model":
        args.runs = args.runs or 5
        bench_model(args)
    elif args.what == "instructions":
        args.runs = args.runs or 5
        bench_instructions(args)
    elif args.what == "large":
        bench_large(args)
    else:
        bench_sobol(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
