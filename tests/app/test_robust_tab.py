"""The Robust designs tab, rendered with ``solara.render``: a stored result's regret map."""

from __future__ import annotations

import textwrap
import warnings
from concurrent.futures import ThreadPoolExecutor

import ipyvuetify as v
import ipywidgets as widgets
import numpy as np
import pytest
import solara

import cxo_sim.appkit.robust as tab
from cxo_sim.robust.evaluation import evaluate_designs
from cxo_sim.robust.spec import load_spec

# Four designs x six worlds x two replicates of 10 weeks: 48 runs of a few ms each.
SPEC = """
name = "tiny"
question = "Who should own the budget, with or without a liaison?"
steps = 10
replications = 2
seed = 11
[levers]
budget_owner = ["cio", "cmo"]
liaison = [false, true]
[uncertainties]
worlds = 6
[uncertainties.context]
n_marketers = { min = 8, max = 30 }
cmo_speed = { min = 0.2, max = 1.0 }
[uncertainties.constants]
HYPE_START = "plausible"
[[objectives]]
outcome = "net_value"
threshold = 0
[[objectives]]
outcome = "breaches"
"""


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A finished robust result folder, ``<root>/tiny``."""
    root = tmp_path_factory.mktemp("robust")
    path = root / "spec.toml"
    path.write_text(textwrap.dedent(SPEC).lstrip())
    with ThreadPoolExecutor(2) as executor:
        evaluate_designs(load_spec(path), out=root / "out", executor=executor, progress=False)
    return root / "out" / "tiny"


def render(monkeypatch, roots):
    monkeypatch.setattr(tab, "ROOTS", roots)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, rc = solara.render(tab.RobustView(), handle_error=False)
    return rc


def select(rc, css_class):
    for widget in rc.find(v.Select).widgets:
        if css_class in (widget.class_ or "").split():
            return widget
    raise AssertionError(f"no select {css_class}")


def text(rc, css_class):
    return [
        w.children[0]
        for w in rc.find(v.Html, tag="span").widgets
        if css_class in (w.class_ or "").split() and w.children
    ]


def map_image(rc) -> bytes:
    images = rc.find(widgets.Image).widgets
    assert images, "no regret map drawn"
    return images[0].value


def test_the_map_reads_a_stored_result_and_follows_every_choice(stored, monkeypatch):
    rc = render(monkeypatch, (stored.parent,))
    try:
        result = tab.load_result(stored)
        assert select(rc, "cxo-robust-folder").v_model == str(stored)
        assert select(rc, "cxo-robust-design").items == result.designs
        assert select(rc, "cxo-robust-x").items == ["n_marketers", "cmo_speed", "HYPE_START"]
        first = map_image(rc)
        assert first[:8] == b"\x89PNG\r\n\x1a\n"
        summary = text(rc, "cxo-robust-summary")[0]
        assert summary.startswith(f"Across 6 worlds, '{result.designs[0]}' is the best design")
        # Regret is the best design's outcome minus the design's own: zero for the best.
        regret = result.regret["net_value"]
        assert np.allclose(regret.min(axis=0), 0.0) and (regret >= 0).all()
        select(rc, "cxo-robust-design").v_model = result.designs[-1]
        assert text(rc, "cxo-robust-summary")[0].startswith(
            f"Across 6 worlds, '{result.designs[-1]}'"
        )
        second = map_image(rc)
        assert second != first
        select(rc, "cxo-robust-y").v_model = "HYPE_START"
        assert "HYPE_START = " in text(rc, "cxo-robust-summary")[0]
        assert map_image(rc) != second
    finally:
        rc.close()


def test_a_missing_result_is_said_not_drawn(tmp_path, monkeypatch):
    rc = render(monkeypatch, (tmp_path,))
    try:
        problems = [w for w in rc.find(v.Alert).widgets]
        assert problems and "run `cxo-sim robust SPEC.toml` first" in str(problems[0].children)
        assert not rc.find(widgets.Image).widgets
    finally:
        rc.close()
