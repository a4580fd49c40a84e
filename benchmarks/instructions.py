"""CPU instructions per run of each sweep contender, counted by Linux ``perf stat``.

    .venv/bin/python benchmarks/instructions.py [--runs N]

Wall-clock and even CPU time drift on a shared host (the same work took 13.9 s and 20.3 s of
CPU a minute apart on the 2-core machine of docs/PERFORMANCE.md); the number of instructions
retired does not. Each contender of ``benchmarks/contenders.py`` (the sweep, the bare limit,
``mesa.batch_run``, all with 2 workers) is counted over its whole process tree on a small and a
large sweep of the benchmark's experiment; the difference divided by the difference in runs is
the work of one run, start-up excluded, and the start-up is what remains. From these the
sweep's lead over batch_run follows for any number of runs. Needs ``perf`` with access to the
hardware counters (``apt-get install linux-perf``; in a container, ``perf_event_paranoid``
may have to allow it).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import experiment_text  # noqa: E402  (the benchmark's own experiment)

CONTENDERS = ("sweep", "bare", "batch_run")
SMALL = 2  # replications of the small sweep (3 configurations each)


def count(mode: str, experiment: Path, out: Path) -> int:
    """Instructions retired by one contender's process tree."""
    command = [
        "perf",
        "stat",
        "-x,",
        "-e",
        "instructions",
        sys.executable,
        str(HERE / "contenders.py"),
        mode,
        str(experiment),
        "2",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode != 0:
        raise SystemExit(f"perf stat failed for {mode}: {done.stderr.strip()[-500:]}")
    for line in done.stderr.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("instructions"):
            if not fields[0].isdigit():
                raise SystemExit(f"perf cannot count instructions here: {line}")
            return int(fields[0])
    raise SystemExit("perf stat printed no instruction count")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", type=int, default=600, help="runs of the large sweep (default 600)"
    )
    args = parser.parse_args(argv)
    if shutil.which("perf") is None:
        print("perf is not installed: apt-get install linux-perf", file=sys.stderr)
        return 2
    large = max(SMALL + 1, args.runs // 3)
    with tempfile.TemporaryDirectory(prefix="cxo-insn-") as scratch:
        folder = Path(scratch)
        files = {}
        for replications in (SMALL, large):
            files[replications] = folder / f"sweep-{replications}.toml"
            files[replications].write_text(
                experiment_text(f"instructions-{replications}", replications)
            )
        per_run, start = {}, {}
        for mode in CONTENDERS:
            small = count(mode, files[SMALL], folder / "out")
            big = count(mode, files[large], folder / "out")
            per_run[mode] = (big - small) / (3 * (large - SMALL))
            start[mode] = small - 3 * SMALL * per_run[mode]
    sweep = per_run["sweep"]
    print("| contender | M instructions per run | vs sweep | start-up (G instructions) |")
    print("|---|---:|---:|---:|")
    for mode in CONTENDERS:
        print(
            f"| {mode} | {per_run[mode] / 1e6:.1f} | {per_run[mode] / sweep:.2f}x "
            f"| {start[mode] / 1e9:.1f} |"
        )
    print()
    print("Sweep's lead over batch_run in instructions, start-up included:")
    for runs in (240, 600, 1200, 6000):
        batch = start["batch_run"] + runs * per_run["batch_run"]
        ours = start["sweep"] + runs * sweep
        print(f"  {runs:>5} runs: {batch / ours:.2f}x")
    limit = per_run["batch_run"] / sweep
    print(f"  many runs: {limit:.2f}x (the ratio of the work per run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
