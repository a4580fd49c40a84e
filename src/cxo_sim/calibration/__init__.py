"""Calibration of the behavioural constants by ABC-SMC, and its use in experiments (ODD 9.9).

- ``spec.py``: calibration files (what to calibrate, against which targets);
- ``screening.py``: the Morris screen that picks the constants the targets can identify;
- ``sampler.py``: a pyabc sampler whose result depends on the seed only;
- ``abc.py``: the calibration itself, its posterior and posterior predictive check;
- ``card.py``: the calibration card (self-contained HTML);
- ``organisation.py``: a firm's own observations as a calibration;
- ``cli.py``: ``cxo-sim calibrate``.
"""
