#!/usr/bin/env bash
# Rebuild results/ from the experiment library: every experiment swept afresh, then its summary
# table, figures and report. Takes about ten minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
CXO=${CXO:-.venv/bin/cxo-sim}
for file in experiments/*.toml; do
  name=$(basename "$file" .toml)
  echo "== $name"
  "$CXO" sweep "$file" --out results --fresh --quiet
  "$CXO" report "results/$name"
done
du -sh results/*
# The first screen of a report at a projector's 1024x768 (docs/report-1024x768.png).
.venv/bin/python scripts/report_screenshot.py results/budget-ownership/report.html \
  docs/report-1024x768.png
# The practices over the old_world calibration's posterior (docs/ODD.md 9.9), read from the
# repository's root, then the findings that change against the seed-only run.
"$CXO" sweep experiments/uncertainty/practices-posterior.toml --out results --fresh --quiet
"$CXO" report results/practices-posterior
.venv/bin/python -m cxo_sim.analysis.over_posterior results/practices results/practices-posterior
# The committed robust-design example (docs/ROBUST.md): designs x plausible worlds, its report.
"$CXO" robust experiments/robust/budget-ownership.toml --out results/robust --fresh --workers 2 \
    --recheck 64
# The lesson pack of every committed experiment, from these results (docs/teaching/;
# tests/analysis/test_lesson.py holds each to its results). The Latin hypercube and the robust
# example get the pack that fits their shape; the robust one is robust-budget-ownership.html.
"$CXO" lesson results/budget-ownership results/practices results/meeting-cadence \
  results/combined-role results/data-governance results/risk-vs-urgency results/bundle \
  results/practices-posterior results/lhs-preferences results/robust/budget-ownership \
  --out docs/teaching --odd docs/ODD.md
