"""What a firm's figures moved: prior against posterior per constant, attributed to figures.

``cxo-sim calibrate --organisation FIRM.toml`` writes ``moved.md`` into the firm's calibration
folder and prints its summary. It is read from the identifiability report
(``identifiability.py``), which the folder already stores, so it needs no model run:

- for each calibrated constant, the prior's median and 90% interval against the posterior's,
  the shift of the median in units of the prior's range, and the width ratio;
- a constant has *moved* when its posterior median lies further from the prior's than
  sampling noise allows, or its interval is narrower than noise allows (both from the
  posterior's effective sample size ``n``: the median of ``n`` uniform draws has a standard
  deviation of half the range over sqrt(n), the 90% interval's width about 0.34 of the range
  over sqrt(n); ``identifiability.Z_CUT`` (3) of those, and at least :data:`MIN_SHIFT` and
  1 - :data:`NARROWED`: at an effective sample size of 25, a shift of 0.3 or a width ratio of
  0.8);
  otherwise it *stays at the prior*;
- the figures it is attributed to are the targets that constrain it (a rank correlation over
  the first stored generation, or the screen), with the sign of that correlation: a figure
  whose statistic rises with the constant and that the firm puts low pulls the constant down;
- each figure, with the constants it moved and those it depends on that stayed;
- the constants the screen found within seed noise on every figure: they keep their default
  (the prior's value) in every run.

The attribution is to the figures a constant's statistic depends on, not a separate posterior
per figure: with several figures on one constant, the report names them all.

Covered by ``tests/calibration/test_moved.py``.
"""

from __future__ import annotations

import math
from pathlib import Path

from cxo_sim.analysis.numbers import fmt
from cxo_sim.calibration.identifiability import Z_CUT, Report, Stored, load_stored
from cxo_sim.calibration.predictive import weighted_quantiles
from cxo_sim.experiments.safe_files import write_output

MOVED = "moved.md"
# Smallest shift of the median (share of the prior's range) and width ratio called a move.
MIN_SHIFT = 0.1
NARROWED = 0.9


def moves(stored: Stored, report: Report) -> list[dict]:
    """Per calibrated constant: prior and posterior median and interval, and whether it moved."""
    weights = stored.posterior["weight"].to_numpy(dtype=float)
    ess = report.ess
    shift_noise = max(MIN_SHIFT, Z_CUT * 0.5 / math.sqrt(ess)) if ess > 0 else math.inf
    width_noise = min(NARROWED, 1 - Z_CUT * 0.34 / math.sqrt(ess)) if ess > 0 else -math.inf
    rows = []
    for row in report.rows:
        name = row["constant"]
        low, high = stored.priors[name]
        values = stored.posterior[name].to_numpy(dtype=float)
        median = weighted_quantiles(values, weights, (0.5,))[0]
        shift = (median - (low + high) / 2) / (high - low) if high > low else 0.0
        narrowed = row["width_ratio"] <= width_noise
        shifted = abs(shift) >= shift_noise
        by = row["constrained_by"]
        rows.append(
            {
                "constant": name,
                "prior_median": (low + high) / 2,
                "prior90": (row["prior90_low"], row["prior90_high"]),
                "posterior_median": median,
                "posterior90": (row["posterior90_low"], row["posterior90_high"]),
                "shift": shift,
                "width_ratio": row["width_ratio"],
                "moved": bool(by) and (narrowed or shifted),
                "noise_only": not by and (narrowed or shifted),
                "how": ", ".join(
                    [*(["narrowed"] if narrowed else []), *(["shifted"] if shifted else [])]
                ),
                "by": by,
                "rho": {k: row["rho"][k] for k in by},
            }
        )
    return rows


def format_moved(rows: list[dict], report: Report, name: str, screened: bool = True) -> str:
    """The what-moved report as Markdown (``screened``: the screen picked the constants)."""
    targets = {t.key: t for t in report.targets}
    moved = [r for r in rows if r["moved"]]
    stayed = [r for r in rows if not r["moved"]]
    lines = [
        f"# What the figures of {name} moved",
        "",
        f"{len(moved)} of {len(rows)} calibrated constants moved from their prior; "
        f"{len(stayed)} stay at it"
        + (
            f", and {len(report.not_calibrated)} more were not calibrated (the screen found "
            "them within seed noise on every figure: they keep their default). "
            if screened
            else "; the settings listed the constants to calibrate, so every other constant "
            "keeps its default without a screen having tested it. "
        )
        + f"Posterior effective sample size {report.ess:.0f}: a median shift or a narrowing "
        "smaller than its sampling noise at that size is not counted as a move (see "
        "`cxo_sim.calibration.moved`). *shift*: the posterior median's distance from the "
        "prior's, in shares of the prior's range; *width ratio*: the 90% interval's width over "
        "the prior's.",
        "",
        "## Constants",
        "",
        "| constant | prior median [90%] | posterior median [90%] | shift | width ratio | "
        "moved? | by the figures (rank correlation with the constant) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = (
            f"moved ({r['how']})"
            if r["moved"]
            else "only by noise: no figure depends on it"
            if r["noise_only"]
            else "stays at the prior"
        )
        by = ", ".join(f"{k} ({r['rho'][k]:+.2f})" for k in r["by"]) or "none"
        lines.append(
            f"| `{r['constant']}` | {fmt(r['prior_median'])} [{fmt(r['prior90'][0])}, "
            f"{fmt(r['prior90'][1])}] | {fmt(r['posterior_median'])} "
            f"[{fmt(r['posterior90'][0])}, {fmt(r['posterior90'][1])}] | {r['shift']:+.2f} | "
            f"{r['width_ratio']:.2f} | {verdict} | {by} |"
        )
    lines += ["", "## Figures", ""]
    for key, target in targets.items():
        pulled = [r["constant"] for r in moved if key in r["by"]]
        idle = [r["constant"] for r in stayed if key in r["by"]]
        lines.append(
            f"- **{target.label}** ({fmt(target.low)}-{fmt(target.high)}; {target.source}): "
            + (f"moved {', '.join(f'`{c}`' for c in pulled)}" if pulled else "moved nothing")
            + (
                f"; depends on {', '.join(f'`{c}`' for c in idle)}, which stayed at the prior"
                if idle
                else ""
            )
            + "."
        )
    lines += [
        "",
        "## Staying at the prior",
        "",
        "Calibrated, not moved: "
        + (", ".join(f"`{r['constant']}`" for r in stayed) or "none")
        + ". Not calibrated (default in every run): "
        + (
            (", ".join(f"`{c}`" for c in report.not_calibrated) or "none")
            if screened
            else "every constant not listed in the settings (no screen ran)"
        )
        + ".",
        "",
        "A constant that stays at the prior is one the firm's figures, with their "
        "uncertainties, say nothing about: experiments on the firm carry its whole prior range "
        "(calibrated) or its default (not calibrated).",
    ]
    return "\n".join(lines) + "\n"


def summary(rows: list[dict]) -> str:
    """One line: which constants moved, and by which figures."""
    moved = [r for r in rows if r["moved"]]
    if not moved:
        return f"what moved: none of the {len(rows)} calibrated constants left its prior"
    parts = [f"{r['constant']} ({r['how']}; by {', '.join(r['by'])})" for r in moved]
    return f"what moved: {len(moved)} of {len(rows)} calibrated constants: " + "; ".join(parts)


def write_moved(folder: str | Path, report: Report, name: str) -> tuple[Path, str]:
    """Write ``moved.md`` into the folder; its path and the one-line summary."""
    folder = Path(folder)
    stored = load_stored(folder)
    rows = moves(stored, report)
    text = format_moved(rows, report, name, screened=stored.screen is not None)
    path = write_output(
        folder / MOVED, lambda temp: temp.write_text(text, encoding="utf-8"), root=folder.parent
    )
    return path, summary(rows)
