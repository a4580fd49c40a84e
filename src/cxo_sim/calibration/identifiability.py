"""What the targets pin and what they cannot: the identifiability report of a calibration.

Written into every calibration folder as ``identifiability.md`` (for people) and
``identifiability.csv`` (one row per constant), from what a finished folder already stores, so
it can be rebuilt without a model run (``cxo-sim calibrate FILE --report-only``):

- the manifest (constants, their uniform priors, the targets and their ranges);
- ``posterior.csv`` (the last generation's weighted particles);
- pyabc's history (every generation's accepted particles with their statistics); the report
  reads the *first* stored generation, the widest sample the folder has (the prior, cut by the
  first epsilon);
- ``screen.json`` when the screen ran (Morris mu* of every constant on every target).

For each calibrated constant the report gives the prior's and the posterior's 90% interval and
the ratio of their widths (1: the targets say nothing), and the targets that *constrain* it: a
target depends on a constant when the Spearman rank correlation of the two over the first
generation is at least :data:`MIN_RHO` and :data:`Z_CUT` standard errors (1/sqrt(n - 1)) from
0, or when the screen's mu* of the constant on that target clears the seed-noise dummy's (as in
``screening.identified``). A constant no target depends on is *unconstrained*, named as such,
whatever its width ratio (a ratio below 1 is then sampling noise). Pairs constrained together
are those whose weighted posterior correlation is at least :data:`PAIR_R`; the posterior's
principal directions (the eigenvectors of its covariance, each constant in units of its prior
range) with their standard deviation over the prior's say which *combinations* the targets fix
(stiff, ratio well below 1) and which they leave free (sloppy, near 1). Constants the screen
left out keep their default and are listed as not calibrated.

The report also checks that the targets can be met together (:func:`joint_fit`): the share of
the first generation's runs inside each target's range, and inside all of them at once. When
the last generation's epsilon is above 0 (no accepted run met every range), it warns that the
model may not reproduce all the targets at once, and names the pairs of targets no stored run
meets together; ``cxo-sim calibrate`` prints the warning and the card shows it. (History
matching, ``emulator.py``, stops earlier with its own message when its waves leave no region.)

Covered by ``tests/calibration/test_identifiability.py``.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cxo_sim.analysis.numbers import fmt
from cxo_sim.calibration.predictive import effective_sample_size, weighted_quantiles
from cxo_sim.calibration.spec import Target
from cxo_sim.constants import CONSTANTS
from cxo_sim.errors import UserError, one_line
from cxo_sim.experiments.reading import load_manifest
from cxo_sim.experiments.safe_files import write_output
from cxo_sim.validation.screen import NOISE, Screen

REPORT = "identifiability.md"
TABLE = "identifiability.csv"
# A rank correlation this large, and this many standard errors from 0, says a target depends on
# a constant (with about 45 constant-target pairs, 3 s.e. leaves about one false alarm in 8
# reports).
MIN_RHO = 0.1
Z_CUT = 3.0
# Width ratios at or below these: the constant is pinned, or narrowed.
PINNED = 0.5
NARROWED = 0.9
# Posterior correlations at least this large are listed as pairs constrained together.
PAIR_R = 0.3
# Principal directions whose standard deviation is at most this share of the prior's are stiff.
STIFF = 0.7
# Loadings at least this large name a constant in a principal direction.
LOADING = 0.3


@dataclass
class Stored:
    """What a finished calibration folder holds, as the report reads it.

    Attributes:
        folder: the calibration folder.
        names: the calibrated constants.
        priors: each constant's uniform prior, ``(low, high)``.
        targets: the targets with their ranges.
        posterior: the weighted particles (constants and ``weight``).
        draws: the widest stored sample: constants and statistics, one row per run.
        screen: the Morris screen, if it ran.
        epsilon: the last generation's epsilon (0: every accepted run met every range).
    """

    folder: Path
    names: list[str]
    priors: dict[str, tuple[float, float]]
    targets: list[Target]
    posterior: pd.DataFrame
    draws: pd.DataFrame
    screen: Screen | None = None
    epsilon: float = 0.0


@dataclass
class Report:
    """The identifiability of a calibration (see the module docstring).

    Attributes:
        rows: per constant: intervals, width ratio, verdict, the targets that constrain it,
            the rank correlations and screen sensitivities per target.
        pairs: ``(a, b, r)`` for the posterior pairs with ``|r| >= PAIR_R``.
        directions: per principal direction: its sd over the prior's and its loadings.
        not_calibrated: constants the screen left at their default.
        fit: the joint fit of the targets (:func:`joint_fit`).
        draws: runs in the sample the correlations are taken over.
        ess: the posterior's effective sample size.
    """

    rows: list[dict]
    pairs: list[tuple[str, str, float]]
    directions: list[dict]
    not_calibrated: list[str]
    fit: dict
    draws: int
    ess: float
    targets: list[Target] = field(default_factory=list)

    @property
    def unconstrained(self) -> list[str]:
        """The calibrated constants no target depends on."""
        return [r["constant"] for r in self.rows if r["verdict"] == "unconstrained"]


# ------------------------------------------------------------------------------ reading
def load_stored(folder: str | Path) -> Stored:
    """Read a finished calibration folder; :class:`UserError` if it is not one."""
    folder = Path(folder)
    manifest = load_manifest(folder)
    if not manifest.get("finished"):
        raise UserError(f"{folder}: the calibration is not finished; run it first")
    try:
        names = list(manifest["constants"])
        priors = {n: (float(p["low"]), float(p["high"])) for n, p in manifest["priors"].items()}
        targets = [
            Target(t["key"], t["label"], float(t["low"]), float(t["high"]), t["source"])
            for t in manifest["targets"]
        ]
        epsilons = manifest.get("epsilons") or [0.0]
    except (KeyError, TypeError, ValueError) as exc:
        raise UserError(f"{folder}: the manifest lacks {one_line(exc)}") from None
    try:
        posterior = pd.read_csv(folder / "posterior.csv")
    except (OSError, ValueError) as exc:
        raise UserError(f"{folder / 'posterior.csv'}: cannot read it: {exc}") from None
    return Stored(
        folder=folder,
        names=names,
        priors=priors,
        targets=targets,
        posterior=posterior,
        draws=_first_generation(folder, names),
        screen=_screen(folder),
        epsilon=float(epsilons[-1]),
    )


def _first_generation(folder: Path, names: list[str]) -> pd.DataFrame:
    """The first stored generation's runs: constants and statistics, one row each."""
    import pyabc

    from cxo_sim.calibration.abc import HISTORY, pyabc_logging_quiet

    path = folder / HISTORY
    if not path.is_file():
        raise UserError(f"{path}: missing; the report reads the calibration's history")
    pyabc_logging_quiet()
    try:
        history = pyabc.History(f"sqlite:///{path.resolve()}", create=False)
        first = int(min(t for t in history.get_all_populations()["t"] if t >= 0))
        population = history.get_population(t=first)
    except Exception as exc:  # SQLAlchemy's errors for a file that is not a history
        raise UserError(f"{path}: cannot read the history ({one_line(exc)[:200]})") from None
    rows = [
        {**{n: float(p.parameter[n]) for n in names}, **dict(p.sum_stat)}
        for p in population.particles
    ]
    return pd.DataFrame(rows)


def _screen(folder: Path) -> Screen | None:
    path = folder / "screen.json"
    if not path.is_file():
        return None
    try:
        return Screen(**json.loads(path.read_text(encoding="utf-8"))["screen"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------------------ the report
def identifiability(stored: Stored) -> Report:
    """The identifiability report of a stored calibration (see the module docstring)."""
    weights = stored.posterior["weight"].to_numpy(dtype=float)
    rows = []
    for name in stored.names:
        low, high = stored.priors[name]
        values = stored.posterior[name].to_numpy(dtype=float)
        p05, p95 = weighted_quantiles(values, weights, (0.05, 0.95))
        prior_width = 0.9 * (high - low)
        rho = {t.key: _rank_correlation(stored.draws, name, t.key) for t in stored.targets}
        screen = {t.key: _screen_effect(stored.screen, name, t) for t in stored.targets}
        by = [
            t.key
            for t in stored.targets
            if _depends(rho[t.key], len(stored.draws)) or screen[t.key][1]
        ]
        ratio = (p95 - p05) / prior_width if prior_width > 0 else math.nan
        rows.append(
            {
                "constant": name,
                "section": CONSTANTS[name].section if name in CONSTANTS else "",
                "prior90_low": low + 0.05 * (high - low),
                "prior90_high": high - 0.05 * (high - low),
                "posterior90_low": p05,
                "posterior90_high": p95,
                "width_ratio": ratio,
                "verdict": _verdict(ratio, by),
                "constrained_by": by,
                "rho": rho,
                "screen": {k: v[0] for k, v in screen.items()},
            }
        )
    rows.sort(key=lambda r: (r["verdict"] == "unconstrained", r["width_ratio"]))
    return Report(
        rows=rows,
        pairs=correlated_pairs(stored.posterior, stored.names),
        directions=principal_directions(stored.posterior, stored.names, stored.priors),
        not_calibrated=_not_calibrated(stored),
        fit=joint_fit(stored.draws, stored.targets, stored.epsilon),
        draws=len(stored.draws),
        ess=effective_sample_size(stored.posterior),
        targets=stored.targets,
    )


def _verdict(ratio: float, by: list[str]) -> str:
    if not by:
        return "unconstrained"
    if ratio <= PINNED:
        return "pinned"
    if ratio <= NARROWED:
        return "narrowed"
    return "moves targets, not narrowed"


def _rank_correlation(draws: pd.DataFrame, name: str, key: str) -> float:
    if key not in draws or name not in draws:
        return math.nan
    x, y = draws[name].to_numpy(dtype=float), draws[key].to_numpy(dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 5 or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
        return math.nan
    return float(stats.spearmanr(x[keep], y[keep]).statistic)


def _depends(rho: float, n: int) -> bool:
    return math.isfinite(rho) and abs(rho) >= MIN_RHO and abs(rho) * math.sqrt(n - 1) >= Z_CUT


def _screen_effect(screen: Screen | None, name: str, target: Target) -> tuple[float, bool]:
    """The screen's mu* in half-widths of the target's range, and whether it clears noise."""
    if screen is None or target.key not in screen.mu_star:
        return math.nan, False
    mu = screen.mu_star[target.key]
    if name not in mu:
        return math.nan, False
    clears = mu[name] - screen.mu_star_conf[target.key][name] > mu.get(NOISE, 0.0)
    return mu[name] / target.half_width, bool(clears)


def correlated_pairs(posterior: pd.DataFrame, names: list[str]) -> list[tuple[str, str, float]]:
    """Pairs of constants whose weighted posterior correlation is at least ``PAIR_R``."""
    r = _weighted_correlation(posterior, names)
    pairs = [
        (a, b, float(r[i, j]))
        for (i, a), (j, b) in itertools.combinations(enumerate(names), 2)
        if abs(r[i, j]) >= PAIR_R
    ]
    return sorted(pairs, key=lambda p: -abs(p[2]))


def _weighted_correlation(posterior: pd.DataFrame, names: list[str]) -> np.ndarray:
    values = posterior[names].to_numpy(dtype=float)
    if len(names) < 2:
        return np.eye(len(names))
    cov = np.cov(values, rowvar=False, aweights=posterior["weight"].to_numpy(dtype=float))
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.outer(sd, sd)
    return np.nan_to_num(r)


def principal_directions(
    posterior: pd.DataFrame, names: list[str], priors: dict[str, tuple[float, float]]
) -> list[dict]:
    """The posterior's principal directions, stiffest first, in units of the prior ranges.

    A uniform prior has standard deviation sqrt(1/12) of its range in every direction of the
    unit box, so each direction's ``sd_ratio`` is its posterior standard deviation over that:
    near 1, the targets leave the combination free; well below 1, they fix it.
    """
    spans = np.array([priors[n][1] - priors[n][0] for n in names])
    scaled = posterior[names].to_numpy(dtype=float) / spans
    weights = posterior["weight"].to_numpy(dtype=float)
    cov = np.atleast_2d(np.cov(scaled, rowvar=False, aweights=weights))
    values, vectors = np.linalg.eigh(cov)
    directions = []
    for value, vector in zip(values, vectors.T, strict=True):
        vector = vector * np.sign(vector[np.argmax(np.abs(vector))])
        loadings = {n: float(v) for n, v in zip(names, vector, strict=True) if abs(v) >= LOADING}
        directions.append(
            {
                "sd_ratio": float(math.sqrt(max(value, 0.0) * 12)),
                "loadings": dict(sorted(loadings.items(), key=lambda kv: -abs(kv[1]))),
            }
        )
    return directions


def joint_fit(draws: pd.DataFrame, targets: list[Target], epsilon: float) -> dict:
    """Whether the stored runs meet the targets together: shares alone, in pairs, all at once.

    Returns:
        ``alone`` (share of runs inside each target's range), ``together`` (inside all),
        ``conflicts`` (pairs of targets each met by some run but never by the same run) and
        ``misspecified`` (the last epsilon is above 0: no accepted run met every range).
    """
    inside = {}
    for t in targets:
        values = draws[t.key].to_numpy(dtype=float) if t.key in draws else np.array([])
        # An undefined statistic (a cost per breach without a breach) neither meets nor misses.
        inside[t.key] = ~np.isfinite(values) | ((values >= t.low) & (values <= t.high))
    n = len(draws)
    every = np.ones(n, dtype=bool)
    for hit in inside.values():
        every &= hit
    conflicts = [
        (a.key, b.key)
        for a, b in itertools.combinations(targets, 2)
        if inside[a.key].any() and inside[b.key].any() and not (inside[a.key] & inside[b.key]).any()
    ]
    return {
        "alone": {k: float(v.mean()) if n else math.nan for k, v in inside.items()},
        "together": float(every.mean()) if n else math.nan,
        "conflicts": conflicts,
        "epsilon": epsilon,
        "misspecified": epsilon > 0,
    }


def misspecification_warning(fit: dict) -> str:
    """A warning when no accepted run met every target's range at once, else ''."""
    if not fit["misspecified"]:
        return ""
    pairs = "; ".join(f"{a} with {b}" for a, b in fit["conflicts"])
    never = f" No stored run meets {pairs}." if pairs else ""
    return (
        f"warning: no accepted run met every target's range at once (the last epsilon is "
        f"{fmt(fit['epsilon'])}, not 0): either the calibration stopped early (more "
        "generations would tell) or no region of the constants reproduces every target, and "
        f"the model, its fixed parameters or the targets' ranges are misspecified.{never}"
    )


def _not_calibrated(stored: Stored) -> list[str]:
    if stored.screen is None:
        return []
    screened = stored.screen.mu_star[stored.screen.outcomes[0]]
    return [n for n in screened if n != NOISE and n not in stored.names]


# ------------------------------------------------------------------------------ writing
def write_identifiability(folder: str | Path) -> Report:
    """Read a finished calibration folder, write its identifiability report; the report."""
    stored = load_stored(folder)
    report = identifiability(stored)
    folder = stored.folder
    table = pd.DataFrame([_flat(r, report.targets) for r in report.rows])
    write_output(folder / TABLE, lambda temp: table.to_csv(temp, index=False), root=folder.parent)
    text = format_report(report)
    write_output(
        folder / REPORT, lambda temp: temp.write_text(text, encoding="utf-8"), root=folder.parent
    )
    return report


def _flat(row: dict, targets: list[Target]) -> dict:
    flat = {k: v for k, v in row.items() if k not in ("rho", "screen", "constrained_by")}
    flat["constrained_by"] = ";".join(row["constrained_by"])
    for t in targets:
        flat[f"rho:{t.key}"] = row["rho"][t.key]
        flat[f"screen:{t.key}"] = row["screen"][t.key]
    return flat


def format_report(report: Report) -> str:
    """The report as Markdown."""
    keys = [t.key for t in report.targets]
    lines = [
        "# Identifiability",
        "",
        f"Which constants the targets pin, from the stored calibration: the posterior "
        f"(effective sample size {report.ess:.0f}) and the first stored generation "
        f"({report.draws} runs). *width ratio*: the posterior's 90% interval over the prior's "
        "(1: the targets say nothing). *constrained by*: the targets whose statistic depends "
        f"on the constant, by a rank correlation over the first generation of at least "
        f"{MIN_RHO} and {Z_CUT:g} standard errors, or by the screen (mu* above the seed-noise "
        "dummy's). Each target's column: that rank correlation, and the screen's mu* in "
        "half-widths of the target's range (how far the constant moves the statistic across "
        "its prior range).",
        "",
        "| constant | ODD | prior 90% | posterior 90% | width ratio | verdict | constrained by | "
        + " | ".join(f"{k} rho / screen" for k in keys)
        + " |",
        "|---" * (7 + len(keys)) + "|",
    ]
    for r in report.rows:
        cells = [
            f"{fmt(r['rho'][k], 2)} / {fmt(r['screen'][k], 2)}"
            if math.isfinite(r["screen"][k])
            else f"{fmt(r['rho'][k], 2)}"
            for k in keys
        ]
        lines.append(
            f"| `{r['constant']}` | {r['section']} | [{fmt(r['prior90_low'])}, "
            f"{fmt(r['prior90_high'])}] | [{fmt(r['posterior90_low'])}, "
            f"{fmt(r['posterior90_high'])}] | {r['width_ratio']:.2f} | {r['verdict']} | "
            f"{', '.join(r['constrained_by']) or '-'} | " + " | ".join(cells) + " |"
        )
    unconstrained = report.unconstrained
    lines += ["", "## Constants no target constrains", ""]
    lines.append(
        ", ".join(f"`{n}`" for n in unconstrained)
        + ": calibrated, but no target depends on them; their posterior is their prior."
        if unconstrained
        else "Every calibrated constant moves at least one target."
    )
    if report.not_calibrated:
        lines += [
            "",
            f"Not calibrated ({len(report.not_calibrated)}: the screen found their effect on "
            "every target within seed noise; they keep their default in every run): "
            + ", ".join(f"`{n}`" for n in report.not_calibrated)
            + ".",
        ]
    lines += ["", "## Constrained together", ""]
    if report.pairs:
        lines.append(
            f"Pairs with a posterior correlation of at least {PAIR_R}: the targets fix a "
            "combination of the two more than either alone."
        )
        lines += [""] + [f"- `{a}` and `{b}`: r = {r:+.2f}" for a, b, r in report.pairs]
    else:
        lines.append(f"No pair of constants has a posterior correlation of {PAIR_R} or more.")
    lines += [
        "",
        "Principal directions of the posterior (each constant in units of its prior range), "
        "stiffest first. *sd ratio*: the direction's posterior standard deviation over the "
        f"prior's; at most {STIFF} the targets fix that combination (stiff), near 1 they leave "
        f"it free (sloppy). Loadings of at least {LOADING} shown.",
        "",
        "| direction | sd ratio | | combination |",
        "|---|---|---|---|",
    ]
    for i, d in enumerate(report.directions, 1):
        kind = "stiff" if d["sd_ratio"] <= STIFF else "sloppy"
        combination = " ".join(f"{v:+.2f} `{n}`" for n, v in d["loadings"].items())
        lines.append(f"| {i} | {d['sd_ratio']:.2f} | {kind} | {combination} |")
    lines += ["", "## Can the targets be met together?", ""]
    fit = report.fit
    alone = ", ".join(f"{k} {v:.0%}" for k, v in fit["alone"].items())
    lines.append(
        f"Share of the first generation's runs inside each range: {alone}; inside every range "
        f"at once: {fit['together']:.0%}. Last epsilon: {fmt(fit['epsilon'])}."
    )
    warning = misspecification_warning(fit)
    lines += ["", f"**{warning}**" if warning else "Some runs meet every target at once."]
    return "\n".join(lines) + "\n"
