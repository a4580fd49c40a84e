"""Numbers for people: the one formatter of figures in tables, sentences, reports and the app.

``value_text`` writes a parameter's value as ``--set`` takes it (the CLI, the app, explain).

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
