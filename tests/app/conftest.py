"""Fixtures for the app's component tests: the page rendered with ``solara.render``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pytest
import solara
import solara.widgets

import cxo_sim.app as app
from cxo_sim.appkit.classroom import ClassroomModel


@dataclass
class RenderedPage:
    """The rendered page, and every model it made, newest last."""

    rc: object
    models: list = field(default_factory=list)

    @property
    def model(self) -> ClassroomModel:
        return self.models[-1]

    def html(self, css_class: str) -> str:
        """The inner HTML of the first ``solara.HTML`` element with ``css_class``."""
        for widget in self.rc.find(solara.widgets.HTML).widgets:
            if css_class in widget.attributes.get("class", ""):
                return widget.unsafe_innerHTML
        raise AssertionError(f"no HTML element with class {css_class!r}")


@pytest.fixture
def page(monkeypatch) -> RenderedPage:
    """``cxo_sim.app.Page`` inside Solara's AppLayout (which hosts the sidebar)."""
    rendered = RenderedPage(rc=None)

    class RecordedModel(ClassroomModel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            rendered.models.append(self)

    monkeypatch.setattr(app, "ClassroomModel", RecordedModel)

    @solara.component
    def Layout():
        with solara.AppLayout():
            app.Page()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, rendered.rc = solara.render(Layout(), handle_error=False)
    yield rendered
    rendered.rc.close()
