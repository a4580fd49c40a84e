"""Provenance in every manifest: versions, the model's fingerprint, the git revision, the time."""

from __future__ import annotations

import datetime as dt
import re

from cxo_sim.experiments import provenance


def test_the_fingerprint_is_stable_and_covers_the_model_inputs(monkeypatch):
    first = provenance.model_fingerprint()
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert provenance.model_fingerprint() == first
    monkeypatch.setattr(provenance, "MODEL_INPUTS", provenance.MODEL_INPUTS[:-1])
    assert provenance.model_fingerprint() != first, "each model input is hashed"


def test_versions_name_what_results_depend_on():
    versions = provenance.software_versions()
    assert set(versions) == {"cxo_sim", "mesa", "numpy", "pandas", "python"}


def test_the_git_revision_is_a_commit_or_none():
    revision = provenance.git_revision()
    assert revision is None or re.fullmatch(r"[0-9a-f]{40}", revision)


def test_now_is_local_time_with_its_offset():
    stamp = dt.datetime.fromisoformat(provenance.now())
    assert stamp.tzinfo is not None
