"""The ``cxo-sim`` command: one module per sub-command, each with its options and its work.

- :mod:`~cxo_sim.cli.main`: the parser, one-line errors (exit 2), stop signals (128 + number).
- :mod:`~cxo_sim.cli.run`: ``cxo-sim run``, one model run, its table, series and figure.
- :mod:`~cxo_sim.cli.sweep`: ``cxo-sim sweep``, an experiment file into its results folder.
- :mod:`~cxo_sim.cli.calibrate`: ``cxo-sim calibrate``, ABC-SMC of the constants and its card.
- :mod:`~cxo_sim.cli.plot`: ``cxo-sim plot``, figures and tables of a results folder.
- :mod:`~cxo_sim.cli.report`: ``cxo-sim report``, the HTML report of a results folder.
- :mod:`~cxo_sim.cli.lesson`: ``cxo-sim lesson``, a printable lesson pack of results folders.
- :mod:`~cxo_sim.cli.sensitivity`: ``cxo-sim sensitivity``, Morris or Sobol indices.
- :mod:`~cxo_sim.cli.discover`: ``cxo-sim discover``, scenario discovery (PRIM).
- :mod:`~cxo_sim.cli.validate`: ``cxo-sim validate``, targets, patterns, tradeoffs (ODD 9).
- :mod:`~cxo_sim.cli.explain`: ``cxo-sim explain``, mechanisms, shadow prices, flags (ODD 9.10).
- :mod:`~cxo_sim.cli.robustness`: ``cxo-sim robustness``, conclusions across the constants.
- :mod:`~cxo_sim.cli.robust`: ``cxo-sim robust``, organisation designs across plausible worlds.
- :mod:`~cxo_sim.cli.params`: ``cxo-sim params``, the parameter registry and the presets.
- :mod:`~cxo_sim.cli.app`: ``cxo-sim app``, the teaching app in the browser.

``cxo_sim.cli:main`` is the console script (pyproject.toml); ``python -m cxo_sim.cli`` runs it too.
"""

from cxo_sim.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
