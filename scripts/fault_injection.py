"""Kill a sweep again and again, resume it, and check that no run was lost, doubled or changed.

Each cycle starts ``cxo-sim sweep`` (which resumes what is stored) in its own process group,
waits a random time, and then either sends the whole group SIGKILL (a lost machine, ``kill
-9``), SIGTERM (``kill``, a container stop, a cluster scheduler) or SIGHUP (a closed terminal,
a dropped SSH session), or swaps the results folder's ``runs/`` or ``timeseries/`` folder for a
symbolic link to a decoy folder elsewhere, which the sweep must notice at its next part (exit
status 2, one line) without writing anything into the decoy; the folder is then put back. In
half the cycles one worker is killed first, so the group also holds a replacement pool, and a
fork server, when it is stopped. A last uninterrupted run finishes the sweep, and its runs
table is compared with one swept without faults. Meanwhile every process of the group is
watched in ``/proc``, so the script can say how long each lived and whether any outlived its
sweep.

Usage::

    python scripts/fault_injection.py [--cycles 20] [--seed 1] [--workers 2] [--keep DIR]

It prints one line per cycle, the lifetime of every process it saw, and the verdict ``runs
lost, duplicated, differing``, which must be ``0, 0, 0``; it exits 1 otherwise, or if a process
outlived its sweep by more than a second, a sweep did not stop within 30 s, printed a
traceback, went on after a swap (an exit status other than 2), or a file was written into a
decoy. Linux only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cxo_sim import load_results
from cxo_sim.experiments.runner import sweep

# 600 runs of 300 weeks: about 20 s of work on two idle cores, so 20 cycles end mid-sweep.
EXPERIMENT = """
name = "faults"
question = "Does a sweep survive being killed again and again?"
steps = 300
replications = 75
seed = 2026
[factors]
budget_owner = ["cio", "cmo"]
meeting_interval = [0, 2, 4, 8]
[output]
timeseries_every = 50
"""

# `cxo-sim sweep` writing a part every 7 runs (instead of 500), so that kills land between,
# during and after part writes.
SWEEP = """
import sys
from cxo_sim.cli import main
from cxo_sim.experiments import runner
runner.sweep.__kwdefaults__["flush_runs"] = 7
sys.exit(main(sys.argv[1:]))
"""

STOP_SECONDS = 30.0
OUTLIVED_SECONDS = 1.0


@dataclass
class Seen:
    """A process of a sweep's group, as the watcher saw it."""

    pid: int
    role: str
    first: float
    last: float


class Watcher:
    """Samples ``/proc`` for the live (not zombie) processes of one process group."""

    def __init__(self, group: int):
        self.group = group
        self.seen: dict[int, Seen] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            time.sleep(0.01)

    def sample(self) -> int:
        """Record the group's live processes now; return how many there are."""
        now = time.monotonic()
        count = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                name, rest = stat.read_text().rsplit(") ", 1)
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, ValueError):
                continue
            fields = rest.split()
            if int(fields[2]) != self.group or fields[0] == "Z":
                continue
            count += 1
            pid = int(stat.parent.name)
            if pid not in self.seen:
                role = _role(pid, int(fields[1]), self.group, command)
                self.seen[pid] = Seen(pid, role, now, now)
            self.seen[pid].last = now
        return count

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def _role(pid: int, parent: int, group: int, command: str) -> str:
    if pid == group:
        return "sweep"
    if "forkserver" in command:  # the server, or a worker it forked (same command line)
        return "fork server" if parent == group else "worker"
    if "resource_tracker" in command:
        return "resource tracker"
    return "worker"


SWAP = "SWAP"


def swap_for_link(folder: Path, decoy: Path) -> Path:
    """Move ``folder`` aside and put a symbolic link to ``decoy`` in its place; the aside path."""
    aside = folder.with_name(f"{folder.name}.aside")
    folder.rename(aside)
    folder.symlink_to(decoy, target_is_directory=True)
    return aside


def cycle(
    number: int, experiment: Path, out: Path, workers: int, rng: random.Random, decoy: Path
) -> dict:
    """Start the sweep, stop its group (or swap a folder) after a random time, wait for it."""
    kind = rng.choice([signal.SIGKILL, signal.SIGTERM, signal.SIGHUP, SWAP])
    delay = rng.uniform(0.2, 3.0)
    command = [sys.executable, "-c", SWEEP, "sweep", str(experiment), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--workers", str(workers), "--quiet"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watcher = Watcher(process.pid)
    # The random time counts from the moment the sweep has its workers.
    while process.poll() is None and watcher.sample() < 1 + workers:
        time.sleep(0.005)
    started = time.monotonic()
    # In half the cycles one worker dies first, so the sweep replaces its pool (from the fork
    # server once the sweep runs threads) before the whole group is killed.
    victim = None
    if rng.random() < 0.5:
        time.sleep(delay / 2)
        workers_now = [s.pid for s in watcher.seen.values() if s.role == "worker"]
        if workers_now:
            victim = rng.choice(workers_now)
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
    time.sleep(max(0.0, delay - (time.monotonic() - started)))
    sent = time.monotonic()
    swapped = aside = None
    if kind == SWAP:
        swapped = out / "faults" / rng.choice(["runs", "timeseries"])
        aside = swap_for_link(swapped, decoy)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, kind)
    try:
        _, err = process.communicate(timeout=STOP_SECONDS)
        hung = False
    except subprocess.TimeoutExpired:
        hung = True
        os.killpg(process.pid, signal.SIGKILL)
        _, err = process.communicate()
    ended = time.monotonic()
    if swapped is not None:
        swapped.unlink()
        aside.rename(swapped)
    while watcher.sample() and time.monotonic() - ended < 10:
        time.sleep(0.01)
    watcher.stop()
    outlived = [s for s in watcher.seen.values() if s.last - ended > OUTLIVED_SECONDS]
    stored = len(load_results(out / "faults")) if (out / "faults" / "manifest.json").exists() else 0
    return {
        "cycle": number,
        "signal": kind if kind == SWAP else signal.Signals(kind).name,
        "swapped": swapped,
        "went_on": swapped is not None and process.returncode != 2,
        "one_line": swapped is None or err.count("\n") == 1,  # a swap's error: one line
        "victim": victim,
        "after": sent - started,
        "status": process.returncode,
        "stop": ended - sent,
        "stored": stored,
        "hung": hung,
        "traceback": "Traceback" in err,
        "seen": list(watcher.seen.values()),
        "ended": ended,
        "outlived": outlived,
    }


def main() -> int:
    """Run the cycles and print the verdict."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep it")
    args = parser.parse_args()
    if sys.platform != "linux":
        print("fault_injection.py: Linux only (it reads /proc)", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    root = args.keep or Path(tempfile.mkdtemp(prefix="cxo-faults-"))
    root.mkdir(parents=True, exist_ok=True)
    experiment = root / "faults.toml"
    experiment.write_text(EXPERIMENT)
    out = root / "results"
    decoy = root / "decoy"
    decoy.mkdir(exist_ok=True)

    records = []
    for number in range(1, args.cycles + 1):
        record = cycle(number, experiment, out, args.workers, rng, decoy)
        records.append(record)
        print(
            f"cycle {number:2d}: "
            + (f"worker {record['victim']} killed, then " if record["victim"] else "")
            + (
                f"{record['swapped'].name}/ swapped for a link"
                if record["swapped"]
                else f"{record['signal']:7s}"
            )
            + f" after {record['after']:.2f} s, "
            f"exit {record['status']}, stopped in {record['stop']:.2f} s, "
            f"{len(record['seen'])} processes, {record['stored']} runs stored"
            + (", HUNG" if record["hung"] else "")
            + (", TRACEBACK" if record["traceback"] else ""),
            flush=True,
        )

    started = time.monotonic()
    final = sweep(experiment, out=out, workers=args.workers, progress=False)
    print(
        f"final resume: {final.runs_now} runs in {time.monotonic() - started:.1f} s, "
        f"{final.runs_done} of {final.runs_planned} stored"
    )
    reference = sweep(experiment, out=root / "reference", workers=args.workers, progress=False)
    runs = load_results(final.folder)
    expected = load_results(reference.folder).set_index("run_id")
    lost = len(set(expected.index) - set(runs["run_id"]))
    duplicated = int(runs["run_id"].duplicated().sum())
    unique = runs.drop_duplicates("run_id").set_index("run_id")
    common = unique.index.intersection(expected.index)
    same = unique.loc[common].eq(expected.loc[common]) | (
        unique.loc[common].isna() & expected.loc[common].isna()
    )
    differing = int((~same.all(axis=1)).sum())

    print("\nprocess lifetimes (s) per cycle; 'after' = how long it lived after its sweep ended")
    for record in records:
        parts = []
        for seen in sorted(record["seen"], key=lambda s: s.first):
            after = max(0.0, seen.last - record["ended"])
            parts.append(f"{seen.role} {seen.pid}: {seen.last - seen.first:.2f} (+{after:.2f})")
        print(f"cycle {record['cycle']:2d}: " + "; ".join(parts))

    hung = sum(r["hung"] for r in records)
    tracebacks = sum(r["traceback"] or not r["one_line"] for r in records)
    outlived = sum(len(r["outlived"]) for r in records)
    went_on = sum(r["went_on"] for r in records)
    through_links = sum(1 for _ in decoy.rglob("*"))
    statuses = pd.Series([f"{r['signal']}->{r['status']}" for r in records]).value_counts()
    print(f"\nexit statuses: {', '.join(f'{k} x{v}' for k, v in statuses.items())}")
    print(
        f"sweeps that hung: {hung}; tracebacks (or a swap's error on more than one line): "
        f"{tracebacks}; outlived their sweep: {outlived}"
    )
    swaps = sum(r["swapped"] is not None for r in records)
    print(f"swaps: {swaps}; sweeps that went on: {went_on}; files written through a link: "
          f"{through_links}")  # fmt: skip
    print(f"runs lost, duplicated, differing: {lost}, {duplicated}, {differing}")
    verdict = (lost, duplicated, differing, hung, tracebacks, outlived, went_on, through_links)
    return 0 if verdict == (0,) * 8 else 1


if __name__ == "__main__":
    sys.exit(main())
