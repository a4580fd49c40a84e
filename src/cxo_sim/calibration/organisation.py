"""A firm's own observations as a calibration: ``--organisation FIRM.toml``.

The file says what a firm knows about itself (docs/ORGANISATION.md walks through an example)::

    name = "example-firm"              # its calibration goes to calibration/<name>/
    preset = "old_world"               # how the firm is run today (decision rights, practices)
    [organisation]                     # what it knows for sure: any parameter, e.g. team sizes
    n_marketers = 35                   # and budgets; fixed in every run
    martech_budget = 6000
    [observations]                     # each optional: a value and its uncertainty (+-)
    martech_tools = { value = 30, uncertainty = 8 }
    shadow_spend_share = { value = 0.3, uncertainty = 0.1 }      # licences IT does not know of
    business_led_share = { value = 0.4, uncertainty = 0.1 }      # licences marketing controls
    campaign_lead_time = { value = 2.5, uncertainty = 1.0 }      # weeks, median
    incidents_per_year = { value = 0.05, uncertainty = 0.04 }    # martech-stack breaches a year
    utilization = { value = 0.45, uncertainty = 0.1 }

Each observation becomes a target range, value +- uncertainty (cut to what the statistic can
take); incidents a year (breaches of the martech stack, not of the whole firm) become the chance
of at least one breach in a year, 1 - exp(-rate).
The calibration's settings (seed, population, generations, screen) are those of a calibration
file given with it, else the defaults of ``spec.py``. A bad or inconsistent observation raises
:class:`UserError` with one line naming the file and the key.

Covered by ``tests/calibration/test_files.py``.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from cxo_sim.calibration.spec import (
    PUBLISHED,
    Calibration,
    Target,
    _Checker,
    load_calibration,
    parse_calibration,
)
from cxo_sim.experiments.posterior import Posterior, load_posterior
from cxo_sim.experiments.spec import read_toml
from cxo_sim.presets import PRESETS

# Observation -> (statistic, label, lowest and highest value it can take, unit).
# A firm can measure its own shadow share and median lead time, which no published figure
# matches (ODD 9.2): they are statistics of ``validation.run_statistics`` but not targets.
OBSERVATIONS = {
    "martech_tools": ("tool_count", "martech tools owned", 0.0, math.inf, "tools"),
    "shadow_spend_share": ("shadow_spend_share", "shadow share of martech spend", 0.0, 1.0, ""),
    "business_led_share": ("business_led_share", PUBLISHED["business_led_share"][0], 0.0, 1.0,
                           ""),
    "campaign_lead_time": ("median_lead_time", "median campaign lead time (weeks)", 0.0,
                           math.inf, "weeks"),
    "incidents_per_year": ("breached", PUBLISHED["breached"][0], 0.0, math.inf, "1/year"),
    "utilization": ("utilization", PUBLISHED["utilization"][0], 0.0, 1.0, ""),
}  # fmt: skip
TOP_LEVEL_KEYS = ("name", "preset", "organisation", "observations")


def organisation_calibration(path: str | Path, settings: str | Path | None = None) -> Calibration:
    """The calibration of a firm: its parameters fixed, its observations as targets.

    Args:
        path: the organisation file.
        settings: a calibration file whose settings (seed, population, generations, screen,
            constants) to use; None: the defaults.
    """
    path = Path(path)
    data, text = read_toml(path, "organisation file")
    check = _Checker(path)
    check.known_keys("", data, TOP_LEVEL_KEYS)
    if "name" not in data:
        raise check.fail("name", "missing; every organisation needs a name (its calibration)")
    preset = check.preset("preset", data.get("preset", "old_world"))
    fixed = check.parameter_table("organisation", data.get("organisation", {}))
    targets = _targets(check, data.get("observations"), {**PRESETS[preset], **fixed})
    base = {} if settings is None else _settings(settings)
    document = {**base, "name": data["name"], "preset": preset, "fixed": fixed}
    document.pop("targets", None)
    calibration = parse_calibration(document, text, path)
    calibration.targets = targets
    if settings is not None:
        calibration.text = f"{text}\n# settings: {settings}\n{load_calibration(settings).text}"
    return calibration


def _settings(path: str | Path) -> dict[str, Any]:
    calibration = load_calibration(path)
    settings = tomllib.loads(calibration.text)
    skip = ("name", "preset", "fixed", "targets", "holdout")
    return {k: v for k, v in settings.items() if k not in skip}


def _targets(check: _Checker, value: Any, params: dict[str, Any]) -> list[Target]:
    if value is None:
        raise check.fail("observations", "missing; a firm is calibrated to what it observes")
    table = check.table("observations", value)
    check.known_keys("observations", table, tuple(OBSERVATIONS))
    if not table:
        raise check.fail("observations", "empty; give at least one observation")
    targets = []
    for name, spec in table.items():
        where = f"observations.{name}"
        spec = check.table(where, spec)
        check.known_keys(where, spec, ("value", "uncertainty", "source"))
        value = check.number(f"{where}.value", spec.get("value"))
        spread = check.number(f"{where}.uncertainty", spec.get("uncertainty"))
        key, label, lowest, highest, unit = OBSERVATIONS[name]
        if not lowest <= value <= highest:
            shown = f"{lowest:g} to {highest:g}" if math.isfinite(highest) else f">= {lowest:g}"
            raise check.fail(f"{where}.value", f"{value:g} is impossible; expected {shown}")
        if not spread > 0:
            raise check.fail(f"{where}.uncertainty", f"must be above 0, got {spread:g}")
        low, high = max(lowest, value - spread), min(highest, value + spread)
        if name == "incidents_per_year":
            low, high = -math.expm1(-low), -math.expm1(-high)
        source = spec.get("source", f"observed: {value:g} +- {spread:g} {unit}".strip())
        if not isinstance(source, str):
            raise check.fail(f"{where}.source", "expected a string")
        targets.append(Target(key, label, low, high, source))
    _consistent(check, table, params)
    return targets


def _consistent(check: _Checker, observations: dict[str, Any], params: dict[str, Any]) -> None:
    """Refuse observations the firm's own parameters make impossible."""
    money = params["martech_budget"] + params["marketing_discretionary"]
    if observations.get("martech_tools", {}).get("value", 0) > 0 and money <= 0:
        raise check.fail(
            "observations.martech_tools",
            "tools observed, but martech_budget and marketing_discretionary are both 0",
        )
    shadow = observations.get("shadow_spend_share", {}).get("value", 0)
    if shadow > 0 and params["marketing_discretionary"] <= 0:
        raise check.fail(
            "observations.shadow_spend_share",
            "spend outside IT observed, but marketing_discretionary is 0 (no money to spend)",
        )
    if shadow >= 1 and params["martech_budget"] > 0:
        raise check.fail(
            "observations.shadow_spend_share",
            "all spend outside IT, but the firm has a martech budget for IT to spend",
        )


def organisation_posterior(
    path: str | Path,
    *,
    root: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress=None,
) -> tuple[Calibration, Posterior]:
    """The firm's calibration and posterior, calibrated now unless stored and up to date."""
    from cxo_sim.calibration.abc import DEFAULT_ROOT, calibrate
    from cxo_sim.calibration.card import write_card
    from cxo_sim.calibration.identifiability import write_identifiability

    calibration = organisation_calibration(path)
    out = "" if root is None else f" --out {root}"
    result = calibrate(
        calibration,
        root=root,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        redo=f"recalibrate with 'cxo-sim calibrate --organisation {path}{out} --fresh'",
    )
    from cxo_sim.calibration.moved import write_moved

    report = write_identifiability(result.folder)
    write_card(result, calibration, report)
    write_moved(result.folder, report, calibration.name)
    folder = Path(DEFAULT_ROOT if root is None else root) / calibration.name
    return calibration, load_posterior(folder)
