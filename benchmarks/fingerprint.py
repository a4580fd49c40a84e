"""A hash of the model's results over many runs, to show a speed-up changed nothing.

    .venv/bin/python benchmarks/fingerprint.py [SOURCE_TREE]

Prints one SHA-256 over: the outcomes, diagnostics and 13-week series of every preset under each
budget owner, a 10x organisation with every practice on and a careless firm (68 runs of 156
weeks); the DataCollector frames and event logs of every preset (3 seeds, 104 weeks); 10x
organisations under every preset; and 30 random parameter sets over the registry's ranges.
Run it on two commits (``git worktree add /tmp/before <commit>``, then pass ``/tmp/before``):
the same hash means the same results to the bit. It takes about a minute.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

if len(sys.argv) > 1:  # another source tree, e.g. a worktree of an older commit
    sys.path.insert(0, str(Path(sys.argv[1]) / "src"))

from cxo_sim.model import CxOModel, run_one  # noqa: E402
from cxo_sim.params import PARAMETERS  # noqa: E402
from cxo_sim.presets import PRESETS  # noqa: E402

EVERY_PRACTICE = dict(
    n_marketers=60,
    n_engineers=24,
    n_capabilities=36,
    mixed_teams=0.5,
    liaison=True,
    shared_tools=True,
    self_serve_platform=True,
    pilot_first=True,
    data_governance="clear",
    meeting_interval=1,
)
CARELESS = dict(data_governance="none", alignment=0.0, meeting_interval=0, emerging_rate=8.0)


def random_parameters(rng: random.Random) -> dict:
    """A parameter set drawn over the registry's ranges (integers kept modest)."""
    params = {}
    for name, spec in PARAMETERS.items():
        if spec.kind == "bool":
            params[name] = rng.random() < 0.5
        elif spec.kind == "choice":
            params[name] = rng.choice(spec.choices)
        elif spec.kind == "int":
            params[name] = rng.randint(int(spec.low), int(min(spec.high, spec.low + 60)))
        else:
            params[name] = rng.uniform(spec.low, spec.high)
    return params


def main() -> None:
    digest = hashlib.sha256()

    def add(outcomes: dict, frame=None) -> None:
        digest.update(json.dumps(outcomes, sort_keys=True).encode())
        if frame is not None:
            digest.update(frame.to_csv().encode())

    configs = []
    for preset in PRESETS.values():
        for owner in ("cio", "cmo", "shared"):
            configs.append({**preset, "budget_owner": owner})
    configs += [EVERY_PRACTICE, CARELESS]
    for params in configs:
        for seed in range(4):
            add(*run_one(params, seed=seed, timeseries_every=13))
    for preset in PRESETS.values():
        for seed in range(3):
            model = CxOModel(seed=seed, **preset)
            for _ in range(104):
                model.step()
            add({}, model.datacollector.get_model_vars_dataframe())
            digest.update("\n".join(event.text for event in model.events).encode())
        large = {**preset, "n_marketers": 200, "n_engineers": 80, "n_capabilities": 120}
        add(run_one(large, steps=60, seed=3)[0])
    rng = random.Random(42)
    for seed in range(30):
        add(*run_one(random_parameters(rng), steps=104, seed=seed, timeseries_every=7))
    print(digest.hexdigest())


if __name__ == "__main__":
    main()
