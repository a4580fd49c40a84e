"""``cxo-sim params``: every parameter with its bounds, default and unit, then the presets.

Everything printed comes from the registry (``cxo_sim.params``) and ``cxo_sim.presets``, so the
listing is always the one the model validates against. Covered by ``tests/test_cli_params.py``.
"""

from __future__ import annotations

import argparse
import textwrap

from cxo_sim.analysis.numbers import value_text
from cxo_sim.params import GROUP_TITLES, GROUPS, PARAMETERS, Parameter
from cxo_sim.presets import PRESET_CHANGES, PRESET_DESCRIPTIONS

# Columns the preset lines wrap at.
WIDTH = 100


def allowed_text(p: Parameter) -> str:
    """Bounds or choices in a few characters: ``0 to 1``, ``cio | cmo | shared``, ``true/false``."""
    if p.kind == "bool":
        return "true/false"
    if p.kind == "choice":
        return " | ".join(p.choices)
    return f"{value_text(p.low)} to {value_text(p.high)}"


def parameter_lines() -> list[str]:
    """The parameters by group: name, allowed values, default, unit, meaning."""
    rows = [(p.name, allowed_text(p), value_text(p.default), p.unit) for p in PARAMETERS.values()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for group in GROUPS:
        lines.append(f"{GROUP_TITLES[group]}:")
        for p, row in zip(PARAMETERS.values(), rows, strict=True):
            if p.group == group:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
                lines.append(f"  {'  '.join(cells)}  {p.meaning}")
        lines.append("")
    return lines


def preset_lines() -> list[str]:
    """The presets: name, description, and what each sets."""
    lines = ["Presets (cxo-sim run --preset NAME; each sets these, the rest are defaults):"]
    for name, changes in PRESET_CHANGES.items():
        lines.append(f"  {name}: {PRESET_DESCRIPTIONS[name]}")
        sets = ", ".join(f"{k}={value_text(v)}" for k, v in changes.items())
        lines += textwrap.wrap(sets, WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6)
    return lines


def command(args: argparse.Namespace) -> None:
    """Print the parameters (columns: name, allowed, default, unit, meaning) and the presets."""
    header = "name, allowed values, default, unit, meaning; set one with --set NAME=VALUE"
    print("\n".join([f"Parameters ({header}):", "", *parameter_lines(), *preset_lines()]))


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``cxo-sim params`` and its options to the sub-commands."""
    parser = sub.add_parser("params", help="list parameters (bounds, defaults, units) and presets")
    parser.set_defaults(handler=command)
