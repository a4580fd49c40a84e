"""The model the app runs: ``CxOModel`` with a horizon, and the app's starting settings.

Mesa's ``ModelController`` rebuilds the model on Reset as ``model.__class__(**parameters)`` and
stops Play when ``model.running`` turns false, so the horizon is a keyword of the model class
and every other keyword is a registry parameter or the seed.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

from typing import Any

from cxo_sim.model import CxOModel
from cxo_sim.presets import PRESETS

DEFAULT_PRESET = "old_world"
# The same defaults as ``cxo-sim run``, so a run in the app can be repeated on the command line.
DEFAULT_SEED = 0
# Three years, the default horizon (docs/ODD.md, section 2).
DEFAULT_WEEKS = 156
# Twenty years: the longest run the app offers.
MAX_WEEKS = 1040
# Keywords of ClassroomModel that are not registry parameters.
RUN_SETTINGS = ("seed", "weeks")


class ClassroomModel(CxOModel):
    """``CxOModel`` that stops after ``weeks`` weeks (``running`` turns false).

    Args:
        weeks: horizon in weeks; Play stops there.
        seed: random seed.
        scenario: what Mesa 3.5's SolaraViz passes on Reset (see ``cxo_sim.compat``).
        **kwargs: registry parameters (``cxo_sim.params``). Named ``kwargs`` because Mesa's
            SolaraViz accepts any keyword only through a ``**kwargs`` argument of that name.

    Attributes:
        weeks: the horizon.
        settings: the keyword arguments the model was made with, so the app can tell whether
            the controls still match the running model.
    """

    def __init__(
        self,
        *,
        weeks: int = DEFAULT_WEEKS,
        seed: Any = DEFAULT_SEED,
        scenario: Any = None,
        **kwargs: Any,
    ):
        super().__init__(seed=seed, scenario=scenario, **kwargs)
        self.weeks = int(weeks)
        self.settings = {**kwargs, "seed": seed, "weeks": self.weeks}
        self.running = self.week < self.weeks

    def step(self) -> None:
        """One week of the model; stop at the horizon."""
        super().step()
        self.running = self.week < self.weeks


def starting_settings(
    preset: str = DEFAULT_PRESET, seed: int = DEFAULT_SEED, weeks: int = DEFAULT_WEEKS
) -> dict[str, Any]:
    """Keyword arguments of :class:`ClassroomModel` for a preset, a seed and a horizon."""
    return {**PRESETS[preset], "seed": seed, "weeks": weeks}


def model_parameters(settings: dict[str, Any]) -> dict[str, Any]:
    """The registry parameters among ``settings`` (without the seed and the horizon)."""
    return {k: v for k, v in settings.items() if k not in RUN_SETTINGS}


def matching_preset(settings: dict[str, Any]) -> str | None:
    """The preset whose parameters equal those in ``settings``, or None (custom settings)."""
    params = model_parameters(settings)
    for name, values in PRESETS.items():
        if values == params:
            return name
    return None


def counted(n: float, noun: str, plural: str | None = None) -> str:
    """``n`` things in words: "1 breach", "3 breaches", "0 tools"."""
    word = noun if n == 1 else plural or f"{noun}s"
    return f"{n:,.0f} {word}"
