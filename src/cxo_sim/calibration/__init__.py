"""Calibration of the behavioural constants by ABC-SMC, and its use in experiments (ODD 9.9).

- :mod:`~cxo_sim.calibration.spec`: calibration files (what to calibrate, against which targets).
- :mod:`~cxo_sim.calibration.evidence`: the target card (each target's source, year, sample,
  model quantity and why they match; calibration/TARGETS.md).
- :mod:`~cxo_sim.calibration.screening`: the Morris screen that picks the constants the targets
  can identify.
- :mod:`~cxo_sim.calibration.sampler`: a pyabc sampler whose result depends on the seed only.
- :mod:`~cxo_sim.calibration.emulator`: history matching in waves with Gaussian-process
  emulators, which rules out implausible constants before ABC, and the emulators' own
  posterior (a second estimator).
- :mod:`~cxo_sim.calibration.abc`: the calibration itself and its folder.
- :mod:`~cxo_sim.calibration.predictive`: the posterior predictive check, the posterior's
  summaries.
- :mod:`~cxo_sim.calibration.identifiability`: what the targets pin and what they cannot, and
  whether they can be met together (the misspecification warning).
- :mod:`~cxo_sim.calibration.coverage`: coverage of calibrations to synthetic targets.
- :mod:`~cxo_sim.calibration.card`: the calibration card (self-contained HTML).
- :mod:`~cxo_sim.calibration.organisation`: a firm's own observations as a calibration.
- :mod:`~cxo_sim.calibration.moved`: which of a firm's figures moved which constants, and what
  stays at the prior.

A sweep draws from a stored posterior through :mod:`cxo_sim.experiments.posterior`; the command
is ``cxo-sim calibrate`` (:mod:`cxo_sim.cli.calibrate`).
"""
