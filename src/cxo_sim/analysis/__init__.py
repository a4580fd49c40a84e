"""Analysis of stored results: statistics with CIs, findings, sensitivity, discovery, reports.

- :mod:`~cxo_sim.analysis.stats`: means, differences and their confidence intervals.
- :mod:`~cxo_sim.analysis.numbers`: the one formatter of numbers for people.
- :mod:`~cxo_sim.analysis.results`: a results folder opened for analysis (``ResultSet``).
- :mod:`~cxo_sim.analysis.effects`: findings, effect sizes and the sentences that say them.
- :mod:`~cxo_sim.analysis.summary`: ``summary.csv`` and ``runs.csv``.
- :mod:`~cxo_sim.analysis.importance`: which factors matter most for each outcome.
- :mod:`~cxo_sim.analysis.over_posterior`: findings over a calibration's posterior.
- :mod:`~cxo_sim.analysis.sensitivity`: Morris and Sobol indices (SALib).
- :mod:`~cxo_sim.analysis.discovery`: scenario discovery (PRIM).
- :mod:`~cxo_sim.analysis.plots`: figures from stored results.
- :mod:`~cxo_sim.analysis.report`: the self-contained HTML teaching report.

``explain``, shadow prices and artefact flags (ODD 9.10) are validation's
(:mod:`cxo_sim.validation`); the commands are :mod:`cxo_sim.cli`'s.
"""
