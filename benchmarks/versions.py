"""The default run on several (Python, Mesa) pairs, side by side: CPU time and the ratio.

    .venv/bin/python benchmarks/versions.py .venv/bin/python .venv-3.13/bin/python

Each argument is the Python of a virtual environment with cxo-sim installed (``scripts/venv.sh``
with ``PYTHON`` and ``VENV``). Every round starts each interpreter once, in turn, in a fresh
process that imports the model, makes one untimed run and then times ``--runs`` default
156-week runs (``simulate(seed=s)``, the same seeds on every pair, so the same work: the results
are identical) in CPU time, which other work on the machine inflates less than wall-clock time;
the rounds interleave the pairs so that a busy minute falls on all of them. Prints a Markdown
table (medians over every timed run; the first pair is the reference of the ratios) with the
load average before and after, and writes it to ``benchmarks/versions.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORKER = """
import json, platform, sys, time
import mesa
from cxo_sim import simulate
first, runs = int(sys.argv[1]), int(sys.argv[2])
simulate(seed=10_000)
cpu = []
for seed in range(first, first + runs):
    start = time.process_time()
    simulate(seed=seed)
    cpu.append(time.process_time() - start)
print(json.dumps({"python": platform.python_version(), "mesa": mesa.__version__, "cpu": cpu}))
"""


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pythons", nargs="+", help="the Python of each environment")
    parser.add_argument("--rounds", type=int, default=8, help="rounds (default 8)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per process (default 5)")
    parser.add_argument("--out", default=str(HERE / "versions.md"), help="results file")
    args = parser.parse_args(argv)

    before = load_average()
    started = time.perf_counter()
    seen: dict[str, dict] = {}
    for round_ in range(args.rounds):
        for python in args.pythons:
            out = subprocess.run(
                [python, "-c", WORKER, str(round_ * args.runs), str(args.runs)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            result = json.loads(out.strip().splitlines()[-1])
            entry = seen.setdefault(python, {**result, "cpu": []})
            entry["cpu"] += result["cpu"]
    reference = statistics.median(seen[args.pythons[0]]["cpu"])
    rows = [
        "| Python | Mesa | CPU ms per default run (median) | range | vs first |",
        "|---|---|---:|---:|---:|",
    ]
    for python in args.pythons:
        entry = seen[python]
        cpu = [c * 1e3 for c in entry["cpu"]]
        rows.append(
            f"| {entry['python']} | {entry['mesa']} | {statistics.median(cpu):.1f} | "
            f"{min(cpu):.1f}-{max(cpu):.1f} | "
            f"{statistics.median(entry['cpu']) / reference:.2f}x |"
        )
    minutes = (time.perf_counter() - started) / 60
    text = "\n".join(
        [
            "# cxo-sim on each (Python, Mesa) pair",
            "",
            f"`benchmarks/versions.py` ({args.rounds} rounds of {args.runs} default 156-week runs "
            f"per pair, interleaved; {minutes:.1f} min), {time.strftime('%Y-%m-%d %H:%M')}, "
            f"{os.cpu_count()} cores; load average (1, 5, 15 min) before: {before}; after: "
            f"{load_average()}.",
            "",
            *rows,
        ]
    )
    print(text)
    Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
