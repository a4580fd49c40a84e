"""The calibration card: one self-contained HTML page (figures as base64 PNG, no internet).

It shows how the calibration was made (targets with sources, priors, screen, generations and
epsilons, runs, time, versions), each calibrated constant's prior against its posterior, the
pairs of constants that trade off against each other (the most correlated under the
posterior), the posterior predictive check of each target (the range against the model's
distribution under the posterior: mean, 90% interval, the share of runs inside), and the
constants the targets could not identify. ``card.html`` is written into the calibration folder.

Covered by ``tests/calibration/test_abc.py``.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cxo_sim.analysis.numbers import fmt  # noqa: E402
from cxo_sim.analysis.report import CSS  # noqa: E402
from cxo_sim.calibration.abc import Result  # noqa: E402
from cxo_sim.calibration.identifiability import (  # noqa: E402
    REPORT,
    Report,
    misspecification_warning,
)
from cxo_sim.calibration.predictive import (  # noqa: E402
    effective_sample_size,
    low_effective_sample,
    posterior_table,
    predictive_table,
)
from cxo_sim.calibration.spec import Calibration  # noqa: E402
from cxo_sim.constants import CONSTANTS  # noqa: E402
from cxo_sim.experiments.safe_files import write_output  # noqa: E402

CARD = "card.html"
# Pairwise plots for at most this many pairs, the most correlated first.
PAIRS = 4
HIST_BINS = 20


def _e(text: Any) -> str:
    return html.escape(str(text))


def _png(figure) -> str:
    """A figure as a base64 PNG ``<img>``; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _grid(n: int, width: float = 3.2, height: float = 2.4):
    cols = min(3, max(1, n))
    rows = max(1, -(-n // cols))
    figure, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return figure, list(axes.flat)


def priors_figure(result: Result) -> str:
    """Each calibrated constant: the uniform prior and the weighted posterior histogram."""
    weights = result.posterior["weight"].to_numpy(dtype=float)
    figure, axes = _grid(len(result.names))
    for ax, name in zip(axes, result.names, strict=False):
        c = CONSTANTS[name]
        values = result.posterior[name].to_numpy(dtype=float)
        ax.hist(values, bins=HIST_BINS, range=(c.low, c.high), weights=weights, density=True,
                color="#3949ab", alpha=0.75, label="posterior")  # fmt: skip
        ax.hlines(1 / (c.high - c.low), c.low, c.high, colors="#c62828", label="prior")
        ax.axvline(c.value, color="#555", linestyle=":", label="default")
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    return _png(figure)


def correlated_pairs(result: Result, count: int = PAIRS) -> list[tuple[str, str, float]]:
    """The pairs of calibrated constants most correlated under the posterior (weighted)."""
    weights = result.posterior["weight"].to_numpy(dtype=float)
    pairs = []
    for a, b in itertools.combinations(result.names, 2):
        x = result.posterior[a].to_numpy(dtype=float)
        y = result.posterior[b].to_numpy(dtype=float)
        cov = np.cov(x, y, aweights=weights)
        denominator = np.sqrt(cov[0, 0] * cov[1, 1])
        r = float(cov[0, 1] / denominator) if denominator > 0 else 0.0
        pairs.append((a, b, r))
    pairs.sort(key=lambda p: -abs(p[2]))
    return pairs[:count]


def pairs_figure(result: Result, pairs: list[tuple[str, str, float]]) -> str:
    """Scatter plots of the most correlated pairs, point size by weight."""
    if not pairs:
        return "<p>Only one constant was calibrated: no pairs.</p>"
    weights = result.posterior["weight"].to_numpy(dtype=float)
    figure, axes = _grid(len(pairs), 3.4, 3.0)
    for ax, (a, b, r) in zip(axes, pairs, strict=False):
        ax.scatter(result.posterior[a], result.posterior[b], s=4 + 400 * weights, alpha=0.5,
                   color="#3949ab")  # fmt: skip
        ax.set_xlim(CONSTANTS[a].low, CONSTANTS[a].high)
        ax.set_ylim(CONSTANTS[b].low, CONSTANTS[b].high)
        ax.set_xlabel(a, fontsize=8)
        ax.set_ylabel(b, fontsize=8)
        ax.set_title(f"r = {r:+.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
    figure.tight_layout()
    return _png(figure)


def predictive_figure(result: Result, calibration: Calibration) -> str:
    """Each target: the model's distribution under the posterior against the target's range."""
    figure, axes = _grid(len(calibration.targets))
    for ax, target in zip(axes, calibration.targets, strict=False):
        values = result.predictive[target.key].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        ax.axvspan(target.low, target.high, color="#1a7f37", alpha=0.15, label="target range")
        if len(values):
            ax.hist(values, bins=HIST_BINS, color="#3949ab", alpha=0.75, label="model")
            ax.axvline(values.mean(), color="#222", label="mean")
        ax.set_title(target.label, fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0].legend(fontsize=7)
    figure.tight_layout()
    return _png(figure)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def write_card(result: Result, calibration: Calibration, report: Report | None = None) -> Any:
    """Write ``card.html`` into the calibration's folder; its path.

    With the identifiability ``report``, the card shows its verdicts and links it (and the
    coverage report, when the folder has one).
    """
    manifest = result.manifest
    posterior = posterior_table(result.posterior, result.names)
    predictive = predictive_table(result.predictive, calibration.targets)
    pairs = correlated_pairs(result)
    versions = ", ".join(f"{k} {v}" for k, v in manifest["versions"].items())
    generations = [g for g in manifest["generations"] if g["t"] >= 0]
    unidentified = manifest["unidentified"]
    sections = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Calibration card: {_e(calibration.name)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Calibration card: {_e(calibration.name)}</h1>",
        '<p class="answer">'
        + _e(
            f"{len(result.names)} behavioural constants of the {calibration.preset} preset "
            f"estimated by ABC-SMC (pyabc) against {len(calibration.targets)} targets, each a "
            f"run's yearly figure pooled over years 2-{calibration.years}. Population "
            f"{calibration.population}, "
            f"{len(generations)} generations, {sum(manifest['runs'].values())} runs, "
            f"{manifest['wall_seconds']:.0f} s on {manifest['executor']}; effective sample size "
            f"of the weighted posterior {effective_sample_size(result.posterior):.0f} of "
            f"{len(result.posterior)} particles (Kish). Seed "
            f"{calibration.seed}: the same command gives the same posterior, whatever the "
            "number of workers."
        )
        + "</p>",
        f'<p class="worse">{_e(low_effective_sample(result.posterior))}</p>'
        if low_effective_sample(result.posterior)
        else "",
        "<h2>Targets</h2>",
        _table(
            ["statistic", "range", "source"],
            [[t.label, f"{fmt(t.low)}-{fmt(t.high)}", t.source] for t in calibration.targets],
        ),
        "<h2>Posterior predictive check</h2>",
        '<p class="note">Each of the posterior predictive runs takes a constant set drawn from '
        "the posterior (by weight) and a fresh seed. <em>inside</em> is the share of runs whose "
        "statistic falls in the range (the coverage); the cost of a breach is undefined in runs "
        "without a breach.</p>",
        _table(
            ["target", "range", "mean", "90% interval", "inside", "runs"],
            [
                [
                    r["label"],
                    f"{fmt(r['low'])}-{fmt(r['high'])}",
                    fmt(r["mean"]),
                    f"[{fmt(r['p05'])}, {fmt(r['p95'])}]",
                    f"{r['coverage']:.0%}",
                    r["runs"],
                ]
                for r in predictive
            ],
        ),
        predictive_figure(result, calibration),
        _held_out(result, calibration),
        "<h2>Priors and posteriors</h2>",
        '<p class="note">Priors are uniform over each constant\'s plausible range (ODD section '
        "10.2). <em>narrowing</em>: the 90% credible interval's width over 90% of the prior's "
        "(1: the targets say nothing about the constant).</p>",
        _table(
            ["constant", "ODD", "default", "prior", "posterior mean", "90% credible", "narrowing"],
            [
                [
                    r["constant"],
                    CONSTANTS[r["constant"]].section,
                    fmt(r["default"]),
                    f"{fmt(r['prior_low'])}-{fmt(r['prior_high'])}",
                    fmt(r["mean"]),
                    f"[{fmt(r['ci90_low'])}, {fmt(r['ci90_high'])}]",
                    f"{r['narrowing']:.2f}",
                ]
                for r in posterior
            ],
        ),
        priors_figure(result),
        _identifiability(result, report),
        "<h2>Constants that trade off</h2>",
        '<p class="note">The pairs most correlated under the posterior: the targets fix a '
        "combination of the two more than either alone.</p>",
        pairs_figure(result, pairs),
        "<h2>Unidentified constants</h2>",
        _unidentified(manifest, unidentified),
        "<h2>How it was made</h2>",
        _table(
            ["generation", "epsilon", "runs", "accepted"],
            [[g["t"], fmt(g["epsilon"]), g["runs"], g["accepted"]] for g in generations],
        ),
        _waves(manifest.get("history_matching")),
        f'<p class="note">Runs: {_e(manifest["runs"])}. Distance: {_e(manifest["distance"])}. '
        f"Versions: {_e(versions)}. Model fingerprint {_e(manifest['model_fingerprint'][:12])}."
        f" Calibration file {_e(manifest['calibration_file'])}:</p>",
        f"<pre>{_e(calibration.text)}</pre>",
        "</body></html>",
    ]
    path = result.folder / CARD
    page = "\n".join(sections)
    return write_output(
        path, lambda temp: temp.write_text(page, encoding="utf-8"), root=result.folder.parent
    )


def _held_out(result: Result, calibration: Calibration) -> str:
    """The predictive check of the targets the fit did not use, if the file held any out."""
    if not calibration.holdout:
        return ""
    rows = predictive_table(result.predictive, calibration.holdout)
    return (
        "<h2>Held-out targets</h2>"
        '<p class="note">Targets of the card the calibration did not fit (<code>holdout</code>): '
        "the posterior's runs against evidence it did not see.</p>"
        + _table(
            ["target", "range", "source", "mean", "90% interval", "inside", "runs"],
            [
                [
                    r["label"],
                    f"{fmt(r['low'])}-{fmt(r['high'])}",
                    r["source"],
                    fmt(r["mean"]),
                    f"[{fmt(r['p05'])}, {fmt(r['p95'])}]",
                    f"{r['coverage']:.0%}",
                    r["runs"],
                ]
                for r in rows
            ],
        )
    )


def _waves(waves: dict[str, Any] | None) -> str:
    if not waves:
        return ""
    return (
        '<p class="note">History matching before ABC: after each wave, the share of the prior '
        "box whose implausibility under every wave's Gaussian-process emulators is at most "
        f"{fmt(waves['cutoff'])}; ABC sampled inside what the last wave left.</p>"
        + _table(
            ["wave", "runs", "emulators fitted on", "non-implausible"],
            [
                [w["wave"], w["runs"], w["fitted_on"], f"{w['non_implausible']:.1%}"]
                for w in waves["waves"]
            ],
        )
    )


def _identifiability(result: Result, report: Report | None) -> str:
    if report is None:
        return ""
    from cxo_sim.calibration.coverage import COVERAGE_REPORT

    warning = misspecification_warning(report.fit)
    coverage = (
        f' The <a href="{COVERAGE_REPORT}">coverage report</a> says how often the posterior\'s '
        "intervals hold the truth in calibrations to synthetic targets."
        if (result.folder / COVERAGE_REPORT).is_file()
        else ""
    )
    return "".join(
        [
            "<h2>What the targets pin</h2>",
            f'<p class="worse">{_e(warning)}</p>' if warning else "",
            f'<p class="note">From the <a href="{REPORT}">identifiability report</a>: each '
            "constant's 90% interval width over the prior's, and the targets whose statistic "
            "depends on it (rank correlation over the first generation, or the screen). "
            f"<em>unconstrained</em>: no target depends on it.{coverage}</p>",
            _table(
                ["constant", "width ratio", "verdict", "constrained by"],
                [
                    [
                        r["constant"],
                        f"{r['width_ratio']:.2f}",
                        r["verdict"],
                        ", ".join(r["constrained_by"]) or "-",
                    ]
                    for r in report.rows
                ],
            ),
        ]
    )


def _unidentified(manifest: dict[str, Any], names: list[str]) -> str:
    screen = manifest.get("screen")
    if screen is None:
        return (
            '<p class="note">The calibration file listed the constants to calibrate; no screen '
            "was run, so every other constant kept its default without being tested.</p>"
        )
    return (
        f'<p class="note">The Morris screen ({screen["trajectories"]} trajectories x '
        f"{len(screen['seeds'])} seeds, {screen['runs']} runs) found {len(names)} constants "
        "whose effect on every target is within seed noise (the lower end of mu*'s 95% "
        "interval at or below the seed-noise dummy's mu*). They keep their prior: their "
        "default value in every run; the targets cannot tell their values apart.</p>"
        f"<p>{_e(', '.join(names))}</p>"
    )
