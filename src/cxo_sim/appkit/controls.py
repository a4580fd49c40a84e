"""Controls generated from the parameter registry.

:func:`mesa_model_params` turns every registry declaration into Mesa's ``model_params`` format
(``{"type": "SliderFloat", "value": ..., "min": ..., "max": ..., "step": ...}``), the format
``mesa.visualization.SolaraViz`` reads; :func:`ParameterControls` draws the same dictionary in
the registry's groups (``Parameter.group``, ``GROUP_TITLES``) with each parameter's meaning under
its control. Bounds, choices and defaults are never written here: they come from the registry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import solara

from cxo_sim.appkit.classroom import matching_preset
from cxo_sim.params import GROUP_TITLES, GROUPS, PARAMETERS, Parameter
from cxo_sim.presets import PRESET_DESCRIPTIONS, PRESETS

# A slider gets about this many positions across its range before the step is refined so that
# the default sits on a position.
SLIDER_POSITIONS = 100
MAX_WEEKS = 1040


def slider_step(p: Parameter) -> float | int:
    """Step of a numeric parameter's slider: a round number, with the default on the grid."""
    span = float(p.high) - float(p.low)
    step = 10.0 ** math.floor(math.log10(span / SLIDER_POSITIONS)) if span > 0 else 1.0
    offset = float(p.default) - float(p.low)
    while step > 1e-6 and abs(round(offset / step) * step - offset) > 1e-9 * max(span, 1.0):
        step /= 10.0
    if p.kind == "int":
        return max(1, int(step))
    return step


def control_spec(p: Parameter, value: Any = None) -> dict[str, Any]:
    """Mesa ``model_params`` entry of one parameter, showing ``value`` (default if None)."""
    value = p.default if value is None else value
    if p.kind == "bool":
        return {"type": "Checkbox", "value": bool(value), "label": p.name}
    if p.kind == "choice":
        return {"type": "Select", "value": value, "values": list(p.choices), "label": p.name}
    kind = "SliderInt" if p.kind == "int" else "SliderFloat"
    low, high = (int(p.low), int(p.high)) if p.kind == "int" else (float(p.low), float(p.high))
    return {
        "type": kind,
        "value": value,
        "min": low,
        "max": high,
        "step": slider_step(p),
        "label": p.name,
    }


def mesa_model_params(values: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Every registry parameter as a Mesa ``model_params`` entry, in registry order."""
    values = values or {}
    return {name: control_spec(p, values.get(name)) for name, p in PARAMETERS.items()}


def grouped_names() -> dict[str, list[str]]:
    """Parameter names by registry group, groups in the registry's order."""
    groups: dict[str, list[str]] = {group: [] for group in GROUPS}
    for name, p in PARAMETERS.items():
        groups[p.group].append(name)
    return groups


def caption(p: Parameter) -> str:
    """One line under a control: the meaning, with the unit when there is one."""
    return f"{p.meaning} ({p.unit})" if p.unit else p.meaning


@solara.component
def ParameterInput(spec: dict[str, Any], meaning: str, on_value: Callable[[Any], None]):
    """One control built from a Mesa ``model_params`` entry, with its meaning underneath."""
    kind = spec["type"]
    with solara.Column(gap="0px", classes=["cxo-param"]):
        if kind in ("SliderFloat", "SliderInt"):
            slider = solara.SliderFloat if kind == "SliderFloat" else solara.SliderInt
            slider(
                spec["label"],
                value=spec["value"],
                min=spec["min"],
                max=spec["max"],
                step=spec["step"],
                on_value=on_value,
            )
        elif kind == "Select":
            solara.Select(
                spec["label"], values=spec["values"], value=spec["value"], on_value=on_value
            )
        else:
            solara.Checkbox(label=spec["label"], value=spec["value"], on_value=on_value)
        solara.Text(meaning, classes=["cxo-caption"])


@solara.component
def ParameterControls(settings: solara.Reactive[dict[str, Any]]):
    """All registry parameters, one card per group, bound to ``settings``."""
    specs = mesa_model_params(settings.value)

    def setter(name: str) -> Callable[[Any], None]:
        def set_value(value: Any) -> None:
            if isinstance(value, float):
                # Slider arithmetic leaves float noise (0.30000000000000004); presets compare equal.
                value = round(value, 10)
            settings.set({**settings.value, name: PARAMETERS[name].validate(value)})

        return set_value

    for group, names in grouped_names().items():
        with solara.Card(
            GROUP_TITLES[group], margin=0, classes=["cxo-group", f"cxo-group-{group}"]
        ):
            for name in names:
                ParameterInput(specs[name], caption(PARAMETERS[name]), setter(name))


@solara.component
def PresetPicker(settings: solara.Reactive[dict[str, Any]], preset: solara.Reactive[str]):
    """Pick a preset: every parameter control takes the preset's value (seed and weeks stay)."""

    def pick(name: str) -> None:
        preset.set(name)
        settings.set({**settings.value, **PRESETS[name]})

    solara.Select("preset", values=list(PRESETS), value=preset.value, on_value=pick)
    solara.Text(PRESET_DESCRIPTIONS[preset.value], classes=["cxo-caption"])
    if matching_preset(settings.value) != preset.value:
        solara.Text(
            f"Some controls differ from {preset.value}: your own organisation.",
            classes=["cxo-caption", "cxo-custom"],
        )


@solara.component
def RunSettings(settings: solara.Reactive[dict[str, Any]]):
    """The seed and the number of weeks to run."""

    def set_seed(value: int | None) -> None:
        settings.set({**settings.value, "seed": int(value or 0)})

    def set_weeks(value: int | None) -> None:
        weeks = min(max(int(value or 1), 1), MAX_WEEKS)
        settings.set({**settings.value, "weeks": weeks})

    with solara.Row():
        solara.InputInt("seed", value=settings.value["seed"], on_value=set_seed)
        solara.InputInt("weeks to run", value=settings.value["weeks"], on_value=set_weeks)
