"""Building blocks of the teaching app (``cxo_sim.app``).

- :mod:`~cxo_sim.appkit.classroom`: the model the app runs (a run that stops at a horizon).
- :mod:`~cxo_sim.appkit.controller`: Reset, Play and Step, Play's pace following the drawing.
- :mod:`~cxo_sim.appkit.controls`: controls generated from the parameter registry.
- :mod:`~cxo_sim.appkit.charts`: live outcome charts (matplotlib, so nothing loads from a CDN).
- :mod:`~cxo_sim.appkit.organisation`: the picture of the organisation.
- :mod:`~cxo_sim.appkit.events`: the event log in plain words, and "why did this move?".
- :mod:`~cxo_sim.appkit.prediction`: the class's prediction before Play, checked after it.
- :mod:`~cxo_sim.appkit.compare`: two configurations side by side on the same seeds.
- :mod:`~cxo_sim.appkit.notes`: teaching notes for each preset.
- :mod:`~cxo_sim.appkit.about`: the model's description (NetLogo's Info-tab sections).
- :mod:`~cxo_sim.appkit.robust`: a stored robust-design result's regret map.
"""

import warnings

with warnings.catch_warnings():
    # Solara's hook linter flags a line of Mesa's own SolaraViz code when it is first imported.
    warnings.filterwarnings("ignore", message=".*solara_viz.py", category=UserWarning)
    from mesa.visualization.utils import force_update, update_counter

__all__ = ["force_update", "update_counter"]
