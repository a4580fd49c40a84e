"""Robust organisation design: which design holds up across what we do not know, and when not.

- :mod:`~cxo_sim.robust.spec`: the spec (levers, uncertainties, objectives) and its validation.
- :mod:`~cxo_sim.robust.worlds`: the plausible worlds, sampled once (Latin hypercube or Sobol).
- :mod:`~cxo_sim.robust.evaluation`: every design in every world on common seeds, stored like a
  sweep (Parquet parts, resume, local pool or Dask), and read back as arrays.
- :mod:`~cxo_sim.robust.measures`: regret, satisficing, mean and spread, with bootstrap
  intervals over the replicates; rank-swap warnings; the robust front.
- :mod:`~cxo_sim.robust.failure`: where the leading designs fail (PRIM), in words, and the
  re-check of each box on fresh worlds.
- :mod:`~cxo_sim.robust.tree`: the same failures by a classification tree (CART).
- :mod:`~cxo_sim.robust.search`: an evolutionary search over the levers, with its hypervolume.
- :mod:`~cxo_sim.robust.figures` and :mod:`~cxo_sim.robust.report`: the figures and the HTML
  report.

The command is ``cxo-sim robust SPEC.toml`` (:mod:`cxo_sim.cli.robust`); docs/ROBUST.md
describes the whole.
"""
