"""Validation: what ODD section 9 covers, measured on paired seeds.

- :mod:`~cxo_sim.validation.arms`: arms run on the same seeds, through the engine (``run_arms``).
- :mod:`~cxo_sim.validation.targets`: the calibration targets and the yearly figures they read.
- :mod:`~cxo_sim.validation.patterns`: patterns P1-P8, T1-T4 and S1, and the claims known not
  to hold.
- :mod:`~cxo_sim.validation.tradeoffs`: what each practice buys and costs.
- :mod:`~cxo_sim.validation.robustness`: which conclusions survive the constants' ranges (9.7).
- :mod:`~cxo_sim.validation.screen`: the Morris screen of the constants.
- :mod:`~cxo_sim.validation.explain`: which mechanisms carry a lever's effect (9.10).
- :mod:`~cxo_sim.validation.diagnostics`: shadow prices of the firm's resources, artefact flags.

The commands are ``cxo-sim validate``, ``robustness`` and ``explain`` (:mod:`cxo_sim.cli`).
"""
