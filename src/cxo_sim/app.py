"""The teaching app: the model in the browser, for a class.

``cxo-sim app`` serves :func:`Page` with Solara on 127.0.0.1. The views are written for Mesa's
SolaraViz, 3.3 to 3.5 (they re-render on Mesa's ``update_counter``, and run in SolaraViz as they
are).
What SolaraViz's own layout cannot do is done with custom components, and that is the design
choice documented in docs/APP.md:

- Reset, Play and Step (``appkit.controller``): Reset rebuilds the model as
  ``ClassroomModel(**settings)`` and Play stops at the horizon through ``model.running``, as
  with Mesa's ``ModelController``, but Play's pace follows the drawing: a week is stepped only
  once the previous one is drawn, at the speed chosen, up to a "stop at week", and Pause stops
  at the week shown;
- the parameter controls are generated from the registry in Mesa's ``model_params`` format and
  drawn in the registry's groups, each with its meaning underneath and a box beside each slider
  for an exact value (SolaraViz lists sliders flat, and shows their value only while dragging);
  a bad entry is named under its box and changes nothing;
- the preset picker sets every control to the preset's value and lists what differs from it,
  with the ``cxo-sim run`` line that reproduces the settings; like any control change it takes
  effect on Reset (SolaraViz has no presets);
- tabs: Run (a prediction box before Play, live charts, the organisation, the event log),
  Compare (two configurations on the
  same seeds), Teaching notes, About the model (NetLogo's Info-tab sections) and Robust
  designs (``appkit.robust``: a stored ``cxo-sim robust`` result's regret map).

Every chart is a matplotlib PNG made on the server, and the Solara front end is served from the
solara-assets package, so the page needs no internet connection.

Covered by ``tests/app/test_app_parts.py``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from typing import Any

import solara
import solara.lab

from cxo_sim.appkit import update_counter
from cxo_sim.appkit.about import AboutModel
from cxo_sim.appkit.charts import OutcomeCharts
from cxo_sim.appkit.classroom import (
    DEFAULT_PRESET,
    MAX_WEEKS,
    ClassroomModel,
    counted,
    matching_preset,
    starting_settings,
)
from cxo_sim.appkit.compare import Compare
from cxo_sim.appkit.controller import DEFAULT_PACE, PACES, PlayController
from cxo_sim.appkit.controls import (
    EntryField,
    ParameterControls,
    PresetPicker,
    Reproduce,
    RunSettings,
    parse_count,
)
from cxo_sim.appkit.events import EventLog, WhyDidThisMove
from cxo_sim.appkit.notes import HOW_TO, TeachingNotes
from cxo_sim.appkit.organisation import OrganisationPicture
from cxo_sim.appkit.prediction import PlayPrediction
from cxo_sim.appkit.robust import RobustView

TITLE = "cxo-sim: the CIO, the CMO and marketing technology"
CSS = """
.cxo-caption { font-size: 11px; color: #666; line-height: 1.25; margin-bottom: 6px; }
.cxo-custom { color: #b35806; }
.cxo-subtitle { font-weight: 600; margin-top: 8px; }
.cxo-param .v-input { margin-top: 0; padding-top: 4px; }
.cxo-param .v-input__slot { margin-bottom: 0; }
.cxo-number .v-input__slider { flex: 1 1 auto; }
.cxo-number .cxo-entry { flex: 0 0 84px; max-width: 84px; }
.cxo-number .cxo-entry input { text-align: right; }
.cxo-param .v-input--is-disabled .v-label { color: #aaa !important; }
.cxo-ignored { color: #8a6d00; }
.cxo-run-settings .cxo-entry { flex: 1 1 0; min-width: 80px; }
.cxo-entry .v-messages.error--text { font-size: 11px; }
pre.cxo-reproduce { font-size: 11px; white-space: pre-wrap; word-break: break-all;
  background: #f6f6f6; padding: 4px; margin: 0; user-select: all; }
.cxo-compare-controls .cxo-entry { flex: 0 0 110px; }
.cxo-group { margin-bottom: 10px !important; }
.cxo-charts img, .cxo-organisation img, .cxo-compare-figure img { width: 100%; height: auto; }
.cxo-chart-frame { position: relative; } .cxo-chart-frame img { display: block; }
.cxo-overlay { position: absolute; top: 0; left: 0; width: 100%; height: 100%; }
.cxo-tip { position: absolute; cursor: help; }
.cxo-week-mark { position: absolute; width: 0; border-left: 2px solid rgba(213, 94, 0, 0.7); }
.cxo-about { max-width: 820px; } .cxo-about h3 { margin-top: 14px; }
.cxo-status { font-size: 14px; display: flex; flex-wrap: wrap; }
.cxo-status span { margin-right: 14px; white-space: nowrap; }
.cxo-param { margin-bottom: 6px; }
/* Charts beside the picture on wide screens, above it on a projector's 1024 pixels. */
.cxo-two-columns { display: grid; grid-template-columns: minmax(0, 11fr) minmax(0, 9fr);
  gap: 12px; align-items: start; }
@media (max-width: 1300px) { .cxo-two-columns { grid-template-columns: minmax(0, 1fr); }
  .cxo-two-columns > * { max-width: 720px; } }
ul.cxo-events { list-style: none; padding-left: 0; margin: 0; max-height: 260px;
  overflow-y: auto; font-size: 13px; }
ul.cxo-events li { padding: 2px 0; border-bottom: 1px solid #eee; }
.cxo-kind { display: inline-block; width: 9px; height: 9px; border-radius: 50%;
  margin-right: 6px; }
.cxo-more, .cxo-events-empty { color: #888; font-size: 12px; }
table.cxo-compare { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
table.cxo-compare th, table.cxo-compare td { border-bottom: 1px solid #ddd; padding: 3px 6px;
  text-align: right; }
table.cxo-compare td:first-child, table.cxo-compare th:first-child { text-align: left; }
table.cxo-compare td { white-space: nowrap; }
.cxo-compare-table { overflow-x: auto; }
th.cxo-a { color: #1f77b4; } th.cxo-b { color: #d55e00; }
.cxo-play-prediction { padding: 4px 10px !important; margin-bottom: 8px !important; }
.cxo-play-predictions .v-input { max-width: 190px; margin-top: 0; }
.cxo-play-words { margin-top: 0; padding-top: 0; }
ul.cxo-play-verdicts { font-size: 13px; margin: 2px 0; }
"""


@solara.component
def Page():
    """The whole app: the sidebar of controls and the Run, Compare and Teaching notes tabs."""
    settings = solara.use_reactive(starting_settings())
    first = solara.use_memo(lambda: ClassroomModel(**settings.value), [])
    model = solara.use_reactive(first)
    preset = solara.use_reactive(DEFAULT_PRESET)
    step_weeks = solara.use_reactive(1)
    pace = solara.use_reactive(DEFAULT_PACE)
    stop_at = solara.use_reactive(None)

    solara.Title("cxo-sim")
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar():
        with solara.Card("Run", margin=0, classes=["cxo-group", "cxo-run"]):
            PresetPicker(settings, preset)
            RunSettings(settings)
            PlayController(model, settings, step_weeks.value, pace.value, stop_at.value)
            PlaySettings(model.value, pace, stop_at)
            with solara.Column(classes=["cxo-step-size"]):
                solara.SliderInt("weeks per Step", value=step_weeks, min=1, max=13)
                solara.Text(
                    f"Step advances {counted(step_weeks.value, 'week')}.",
                    classes=["cxo-caption"],
                )
            PendingChanges(model.value, settings.value)
            Reproduce(settings.value, preset.value)
        ParameterControls(settings)
    with solara.lab.Tabs():
        with solara.lab.Tab("Run"):
            RunView(model.value)
        with solara.lab.Tab("Compare"):
            Compare(settings.value)
        with solara.lab.Tab("Teaching notes"):
            solara.Info(HOW_TO)
            TeachingNotes(preset.value)
        with solara.lab.Tab("About the model"):
            AboutModel()
        with solara.lab.Tab("Robust designs"):
            RobustView()


@solara.component
def PlaySettings(
    model: ClassroomModel, pace: solara.Reactive[str], stop_at: solara.Reactive[int | None]
):
    """Play's speed and the week it pauses at; both apply from the next Play."""
    update_counter.get()  # the caption follows the week
    with solara.Row(classes=["cxo-play-settings"], style={"align-items": "center"}):
        solara.Select("Play speed", values=list(PACES), value=pace, classes=["cxo-pace"])
        EntryField(
            "stop at week",
            model.weeks if stop_at.value is None else stop_at.value,
            lambda text: parse_count("stop at week", text, 1, MAX_WEEKS),
            stop_at.set,
            classes=["cxo-box-stop"],
        )
    ahead = stop_at.value is not None and model.week < stop_at.value < model.weeks
    solara.Text(
        f"Play draws every week, {pace.value}, the slower if drawing takes longer"
        if PACES[pace.value].every_week
        else "Play runs ahead and redraws about twice a second",
        classes=["cxo-caption"],
    )
    solara.Text(
        f"Play pauses at week {stop_at.value}, then goes on to week {model.weeks}."
        if ahead
        else f"Play runs to week {model.weeks}.",
        classes=["cxo-caption", "cxo-stop-caption"],
    )


@solara.component
def PendingChanges(model: ClassroomModel, settings: dict[str, Any]):
    """Say so when the controls no longer match the running model: Reset applies them."""
    if model.settings != settings:
        solara.Warning("Controls changed: press Reset to run with them.", dense=True)


@solara.component
def RunView(model: ClassroomModel):
    """The live views of the running model; each re-renders on Mesa's ``update_counter``."""
    StatusLine(model)
    Finished(model)
    PlayPrediction(model)
    # The week "why did this move?" explains: chosen by a click on a chart or on its slider.
    chosen_week = solara.use_reactive(0)
    solara.use_effect(lambda: chosen_week.set(0), [model])  # a new run: back to the week shown
    with solara.Div(classes=["cxo-two-columns"]):
        OutcomeCharts(model, chosen_week)
        with solara.Column():
            OrganisationPicture(model)
            EventLog(model)
            WhyDidThisMove(model, chosen_week)


@solara.component
def Finished(model: ClassroomModel):
    """At the horizon: say the run is over and what to do next, and offer its series as CSV."""
    update_counter.get()
    if not model.running:
        solara.Info(
            f"Run finished at week {model.week}: press Reset to run again (raise weeks to run "
            "to go further).",
            dense=True,
            classes=["cxo-finished"],
        )
    solara.FileDownload(
        lambda: model.datacollector.get_model_vars_dataframe().to_csv(index_label="week"),
        filename=f"cxo-sim-run-seed{model.settings['seed']}.csv",
        label="This run's weekly series as CSV",
        mime_type="text/csv",
    )


@solara.component
def StatusLine(model: ClassroomModel):
    """Week, configuration and the headline numbers, in one line."""
    update_counter.get()
    now = model.outcomes()
    parts = [
        f"Week {model.week} of {model.weeks}",
        matching_preset(model.settings) or "your own settings",
        f"seed {model.settings['seed']}",
        f"{counted(now['tool_count'], 'tool')} ({now['shadow_tools']:.0f} shadow)",
        counted(now["breaches"], "breach", "breaches"),
        f"{counted(now['campaigns_launched'], 'campaign')} launched",
        f"trust {now['trust']:.2f}",
    ]
    solara.HTML(
        tag="div",
        unsafe_innerHTML="".join(f"<span>{part}</span>" for part in parts),
        classes=["cxo-status"],
    )


# Solara warns, in 12 lines on every page load, that it cannot set a cross-site (samesite=none)
# session cookie over plain http when the page's host is not "localhost" (127.0.0.1, a LAN
# name), and falls back to samesite=lax. Cross-site matters only when the app is embedded in
# another site's iframe; the app is opened directly, where lax is the right cookie, so this
# one warning, from that one module, says nothing to act on.
COOKIE_WARNING = (
    "ignore:Cookies with samesite=none require https:UserWarning:solara.server.starlette"
)


def server_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the Solara server: everything local, nothing phoned home.

    ``SOLARA_ASSETS_PROXY`` must stay true: it makes the page load its front end from the
    server's ``/_solara/cdn/`` path, which reads the files the solara-assets package installs;
    false would send the browser to the public CDN. ``PYTHONWARNINGS`` keeps any filters already
    set and adds ``COOKIE_WARNING``.
    """
    env = dict(os.environ if base is None else base)
    filters = [f for f in env.get("PYTHONWARNINGS", "").split(",") if f]
    env.update(
        {
            "SOLARA_ASSETS_PROXY": "true",
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
            "SOLARA_CHECK_HOOKS": "off",
            "SOLARA_THEME_SHOW_BANNER": "false",
            "MPLBACKEND": "agg",
            "PYTHONWARNINGS": ",".join([*filters, COOKIE_WARNING]),
        }
    )
    return env


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line that serves :func:`Page`."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "cxo_sim.app:Page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
    ]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False


def serve(host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the app at ``http://host:port/`` until interrupted (replaces this process).

    The app has no authentication, so serving beyond this machine is said out loud.
    """
    if not is_loopback(host):
        print(
            f"cxo-sim app: warning: --host {host} serves the app beyond this machine, and it has "
            f"no authentication: anyone who can reach port {port} can use it "
            "(--host 127.0.0.1 keeps it local)",
            file=sys.stderr,
            flush=True,
        )
    print(f"cxo-sim app: open http://{host}:{port}/ in a browser (Ctrl+C stops)", flush=True)
    command = server_command(host, port)
    os.execve(command[0], command, server_environment())
