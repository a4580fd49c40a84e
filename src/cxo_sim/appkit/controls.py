"""Controls generated from the parameter registry.

:func:`mesa_model_params` turns every registry declaration into Mesa's ``model_params`` format
(``{"type": "SliderFloat", "value": ..., "min": ..., "max": ..., "step": ...}``), the format
``mesa.visualization.SolaraViz`` reads; :func:`ParameterControls` draws the registry in its groups
(``Parameter.group``, ``GROUP_TITLES``) with each parameter's meaning under its control, and
gives every number a box beside its slider that always shows the value and takes an exact one.
Bounds, choices and defaults are never written here: they come from the registry. What is kept
here is teaching metadata: the slider range a class needs where the registry's range is far wider.

Covered by ``tests/app/test_app_components.py``.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import Any

import solara

from cxo_sim.analysis.numbers import value_text
from cxo_sim.appkit.classroom import MAX_WEEKS
from cxo_sim.params import GROUP_TITLES, GROUPS, PARAMETERS, Parameter
from cxo_sim.presets import PRESET_DESCRIPTIONS, PRESETS

# A slider gets about this many positions across its range before the step is refined so that
# the default sits on a position.
SLIDER_POSITIONS = 100
# Slider ranges for a class where the registry's range is far wider than a class needs (at the
# full range one pixel of a sidebar slider is about 9 marketers or 5,000 k$). The number box
# beside the slider still takes the registry's full range; a value outside stretches the slider.
TEACHING_RANGES: dict[str, tuple[float, float]] = {
    "n_marketers": (1, 200),
    "n_engineers": (1, 80),
    "n_capabilities": (3, 60),
    "martech_budget": (0.0, 50_000.0),
    "marketing_discretionary": (0.0, 20_000.0),
    "exec_attention": (1, 30),
}
# Controls the model ignores under another setting: name -> (setting, its value, why).
IGNORED_WHEN: dict[str, tuple[str, Any, str]] = {
    "budget_owner": (
        "combined_role",
        True,
        "ignored while combined_role is on: one executive holds the whole budget",
    ),
}


def slider_range(p: Parameter, value: Any = None) -> tuple[float, float]:
    """The slider's ends: the teaching range (registry bounds without one).

    The range stretches to include the default and ``value``, never beyond the registry's bounds.
    """
    low, high = TEACHING_RANGES.get(p.name, (p.low, p.high))
    low, high = max(low, p.low), min(high, p.high)
    for x in (p.default, value):
        if x is not None:
            low, high = min(low, x), max(high, x)
    if p.kind == "int":
        return int(low), int(high)
    return float(low), float(high)


def slider_step(p: Parameter, bounds: tuple[float, float] | None = None) -> float | int:
    """Step of a numeric slider over ``bounds`` (the registry's by default).

    A round number, with the default on the grid.
    """
    low, high = bounds or (p.low, p.high)
    span = float(high) - float(low)
    step = 10.0 ** math.floor(math.log10(span / SLIDER_POSITIONS)) if span > 0 else 1.0
    offset = float(p.default) - float(low)
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


def ignored_reason(name: str, settings: dict[str, Any]) -> str | None:
    """Why the model ignores control ``name`` under ``settings``, or None when it uses it."""
    rule = IGNORED_WHEN.get(name)
    if rule is None or settings.get(rule[0]) != rule[1]:
        return None
    return rule[2]


def parse_seed(text: str) -> int:
    """A seed typed into a box: a whole number, 0 or more (NumPy refuses negative seeds)."""
    try:
        seed = int(text.strip())
    except ValueError:
        raise ValueError(f"seed: {text.strip()!r} is not a whole number") from None
    if seed < 0:
        raise ValueError(f"seed: {seed} is negative; a seed is a whole number, 0 or more")
    return seed


def parse_count(label: str, text: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` typed into box ``label``."""
    try:
        number = int(text.strip())
    except ValueError:
        raise ValueError(f"{label}: {text.strip()!r} is not a whole number") from None
    if not low <= number <= high:
        raise ValueError(f"{label}: {number} is outside {low} to {high}")
    return number


def parse_weeks(text: str) -> int:
    """Weeks to run typed into a box: from 1 to ``MAX_WEEKS``."""
    return parse_count("weeks to run", text, 1, MAX_WEEKS)


@solara.component
def EntryField(
    label: str,
    value: Any,
    parse: Callable[[str], Any],
    on_value: Callable[[Any], None],
    disabled: bool = False,
    classes: list[str] | None = None,
):
    """A text box for an exact value; a bad entry is named under it and changes nothing.

    The box goes back to the value kept, so what it shows is always the value in use; the
    message under it names what was typed and why it was refused.

    Args:
        label: the box's label.
        value: the value it shows.
        parse: turns the text into a value or raises ``ValueError`` saying what is wrong.
        on_value: called with the parsed value.
        disabled: greyed out.
        classes: CSS classes.
    """
    error = solara.use_reactive(None)
    shown = value_text(value)
    text = solara.use_reactive(shown)

    def follow() -> None:
        # A value set elsewhere (slider, preset) shows in the box and clears an earlier complaint.
        text.set(shown)
        error.set(None)

    solara.use_effect(follow, [shown])

    def commit(typed: str | None) -> None:
        if typed == shown:
            # The value in use, typed again or put back below after a refusal: nothing to do.
            return
        try:
            parsed = parse(typed or "")
        except ValueError as exc:
            error.set(f"{exc}; kept {shown}")
            text.set(shown)
            return
        error.set(None)
        on_value(parsed)

    solara.InputText(
        label,
        value=text,
        on_value=commit,
        error=error.value or False,
        disabled=disabled,
        dense=True,
        classes=["cxo-entry", *(classes or [])],
    )


@solara.component
def ParameterInput(
    p: Parameter, value: Any, on_value: Callable[[Any], None], ignored: str | None = None
):
    """One parameter's control with its meaning underneath; numbers get a slider and a box."""
    with solara.Column(gap="0px", classes=["cxo-param", f"cxo-param-{p.name}"]):
        if p.kind in ("float", "int"):
            low, high = slider_range(p, value)
            slider = solara.SliderInt if p.kind == "int" else solara.SliderFloat
            with solara.Row(gap="6px", classes=["cxo-number"], style={"align-items": "center"}):
                slider(
                    p.name,
                    value=value,
                    min=low,
                    max=high,
                    step=slider_step(p, (low, high)),
                    on_value=on_value,
                    disabled=ignored is not None,
                )
                EntryField(
                    "",
                    value,
                    p.parse,
                    on_value,
                    disabled=ignored is not None,
                    classes=[f"cxo-box-{p.name}"],
                )
        elif p.kind == "choice":
            solara.Select(
                p.name,
                values=list(p.choices),
                value=value,
                on_value=on_value,
                disabled=ignored is not None,
            )
        else:
            solara.Checkbox(
                label=p.name, value=value, on_value=on_value, disabled=ignored is not None
            )
        if ignored:
            solara.Text(ignored, classes=["cxo-caption", "cxo-ignored"])
        solara.Text(caption(p), classes=["cxo-caption"])


@solara.component
def ParameterControls(settings: solara.Reactive[dict[str, Any]]):
    """All registry parameters, one card per group, bound to ``settings``."""

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
                ParameterInput(
                    PARAMETERS[name],
                    settings.value[name],
                    setter(name),
                    ignored_reason(name, settings.value),
                )


def changed_from_preset(settings: dict[str, Any], preset: str) -> list[tuple[str, Any, Any]]:
    """(name, preset's value, value now) of every parameter that differs from ``preset``."""
    return [
        (name, PRESETS[preset][name], settings[name])
        for name in PARAMETERS
        if name in settings and settings[name] != PRESETS[preset][name]
    ]


def command_line(settings: dict[str, Any], preset: str) -> str:
    """The ``cxo-sim run`` command that runs ``settings`` (the seed and weeks included)."""
    sets = "".join(
        f" --set {name}={value_text(now)}" for name, _, now in changed_from_preset(settings, preset)
    )
    return (
        f"cxo-sim run --preset {preset} --seed {settings['seed']} --steps {settings['weeks']}{sets}"
    )


def toml_text(settings: dict[str, Any], preset: str) -> str:
    """``settings`` as the head of an experiment file: the preset, the horizon, ``[fixed]``."""
    lines = [f'preset = "{preset}"', f"steps = {settings['weeks']}", "[fixed]"]
    for name, _, now in changed_from_preset(settings, preset):
        lines.append(f'{name} = "{now}"' if isinstance(now, str) else f"{name} = {value_text(now)}")
    return "\n".join(lines)


@solara.component
def PresetPicker(settings: solara.Reactive[dict[str, Any]], preset: solara.Reactive[str]):
    """Pick a preset: every parameter takes the preset's value (seed and weeks stay).

    While the controls differ from the preset the picker shows no value, so choosing the
    preset again restores it; the changes are listed.
    """

    def pick(name: str | None) -> None:
        if name is None:
            return
        preset.set(name)
        settings.set({**settings.value, **PRESETS[name]})

    changes = changed_from_preset(settings.value, preset.value)
    solara.Select(
        "preset",
        values=list(PRESETS),
        value=None if changes else preset.value,
        on_value=pick,
        classes=["cxo-preset"],
    )
    solara.Text(PRESET_DESCRIPTIONS[preset.value], classes=["cxo-caption"])
    if changes:
        listed = ", ".join(
            f"{name} {value_text(was)} → {value_text(now)}" for name, was, now in changes
        )
        solara.Text(
            f"Changed from {preset.value}: {listed}. Choose {preset.value} again to restore it.",
            classes=["cxo-caption", "cxo-custom", "cxo-changes"],
        )


@solara.component
def Reproduce(settings: dict[str, Any], preset: str):
    """The settings as a ``cxo-sim run`` line and as an experiment file's head, to copy."""
    with solara.Details(summary="Copy as --set / TOML"):
        solara.HTML(
            tag="pre",
            unsafe_innerHTML=html.escape(command_line(settings, preset))
            + "\n\n# in an experiment file\n"
            + html.escape(toml_text(settings, preset)),
            classes=["cxo-reproduce"],
        )


@solara.component
def RunSettings(settings: solara.Reactive[dict[str, Any]]):
    """The seed and the number of weeks to run, typed exactly; bad entries change nothing."""

    def setter(name: str) -> Callable[[Any], None]:
        return lambda value: settings.set({**settings.value, name: value})

    with solara.Row(classes=["cxo-run-settings"]):
        EntryField(
            "seed", settings.value["seed"], parse_seed, setter("seed"), classes=["cxo-box-seed"]
        )
        EntryField(
            "weeks to run",
            settings.value["weeks"],
            parse_weeks,
            setter("weeks"),
            classes=["cxo-box-weeks"],
        )
