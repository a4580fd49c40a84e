"""Numbers for people: the one formatter of figures in tables, sentences, reports and the app.

``value_text`` writes a parameter's value as ``--set`` takes it (the CLI, the app, explain).

Shares (an outcome 0 to 1: ``is_share``) read as percentages with one decimal ("36.5 %") and
differences between shares in percentage points ("-2.1 points"), as in ``cxo-sim run``, the
app's charts and Compare, and the reports: ``level`` and ``change`` write an outcome's value and
a difference in its own unit either way.

Covered by ``tests/analysis/test_numbers.py``.
"""

from __future__ import annotations

import math
from typing import Any


def fmt(x: float, digits: int = 3) -> str:
    """A number for people: ``digits`` significant digits, no exponent for everyday sizes."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    if magnitude >= 6 or magnitude < -4:
        return f"{x:.{digits}g}"
    decimals = max(digits - 1 - magnitude, 0)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def signed(x: float, digits: int = 3) -> str:
    """``fmt`` with an explicit sign, so a sentence and a table read the same: +2.1, -0.4, 0."""
    text = fmt(x, digits)
    return f"+{text}" if x > 0 and math.isfinite(x) else text


def with_unit(text: str, unit: str) -> str:
    """A formatted number and its unit, in the singular for exactly one: "1 week", "2 weeks"."""
    if not unit:
        return text
    if text.lstrip("+-") == "1":
        head, slash, tail = unit.partition("/")
        if head.endswith(("ches", "shes")):
            head = head[:-2]
        elif head.endswith("s") and not head.endswith("ss"):
            head = head[:-1]
        unit = head + slash + tail
    return f"{text} {unit}"


def value_text(value: Any) -> str:
    """A value as ``--set`` takes it: true/false in lower case, whole numbers without ``.0``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        # Rounded: slider arithmetic leaves float noise (0.30000000000000004).
        return str(int(value)) if value.is_integer() else repr(round(value, 10))
    return str(value)


def is_share(name: str) -> bool:
    """Whether outcome ``name`` is a share (0 to 1), as ``cxo-sim run`` decides it."""
    return name.endswith("_share") or name == "utilization"


def share_text(share: float) -> str:
    """A share as a percentage with one decimal ("10.7 %"), as ``cxo-sim run`` shows it."""
    return f"{100 * share:,.1f} %"


def share_points(difference: float) -> str:
    """A difference between two shares in percentage points ("-2.1 points")."""
    return f"{100 * difference:,.1f} points"


def level(name: str, value: float, unit: str = "") -> str:
    """Outcome ``name``'s value for people: a share as "36.5 %", anything else with its unit."""
    if is_share(name) and _finite(value):
        return share_text(value)
    return with_unit(fmt(value), unit)


def change(name: str, difference: float, unit: str = "", with_units: bool = True) -> str:
    """A signed difference of outcome ``name``: shares in points ("+2.1 points"), else its unit.

    ``with_units=False`` gives the number alone (an interval's bounds: "+1.2 to +3").
    """
    if is_share(name) and _finite(difference):
        points = 100 * difference
        text = "0" if round(points, 1) == 0 else f"{points:+,.1f}"
        return f"{text} points" if with_units else text
    text = signed(difference)
    return with_unit(text, unit) if with_units else text


def _finite(x: float) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)
