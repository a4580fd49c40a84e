"""Unit tests of the app's parts that need no rendering: controls, figures, comparison."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pandas as pd
import pytest

from cxo_sim.analysis.numbers import fmt, is_share, share_text, value_text
from cxo_sim.analysis.stats import mean_ci
from cxo_sim.app import server_command, server_environment
from cxo_sim.appkit.about import about_html
from cxo_sim.appkit.charts import PANEL_SERIES, comparison_figure, outcome_figure
from cxo_sim.appkit.classroom import (
    DEFAULT_SEED,
    DEFAULT_WEEKS,
    ClassroomModel,
    counted,
    matching_preset,
    starting_settings,
)
from cxo_sim.appkit.compare import (
    YOURS,
    Arm,
    arm_params,
    run_arm,
    summary_table,
    table_csv,
    table_html,
    table_png,
    table_rows,
)
from cxo_sim.appkit.controller import (
    FAST_FORWARD_SECONDS,
    PACES,
    REDRAW_SECONDS,
    REDRAW_SHARE,
    Pace,
    RedrawTimer,
    play,
    stop_week,
)
from cxo_sim.appkit.controls import (
    TEACHING_RANGES,
    command_line,
    grouped_names,
    mesa_model_params,
    slider_range,
    slider_step,
    toml_text,
)
from cxo_sim.appkit.events import event_html
from cxo_sim.appkit.notes import NOTES
from cxo_sim.appkit.organisation import organisation_figure, tile_grid, tile_label
from cxo_sim.appkit.prediction import (
    FALLS,
    PLAY_GUESSES,
    RISES,
    SAME,
    what_it_did,
)
from cxo_sim.appkit.prediction import prediction_lines as play_lines
from cxo_sim.cli import build_parser
from cxo_sim.outcomes import DIAGNOSTIC_NAMES, OUTCOME_NAMES, OUTCOMES
from cxo_sim.params import GROUPS, PARAMETERS
from cxo_sim.presets import PRESETS


def test_mesa_model_params_carry_the_registry_bounds_choices_and_defaults():
    specs = mesa_model_params()
    assert list(specs) == list(PARAMETERS)
    for name, p in PARAMETERS.items():
        spec = specs[name]
        assert spec["label"] == name and spec["value"] == p.default
        if p.kind in ("float", "int"):
            assert spec["type"] == ("SliderInt" if p.kind == "int" else "SliderFloat")
            assert (spec["min"], spec["max"]) == (p.low, p.high)
        elif p.kind == "choice":
            assert spec["type"] == "Select" and spec["values"] == list(p.choices)
        else:
            assert spec["type"] == "Checkbox"


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.kind in ("float", "int")])
def test_slider_step_puts_the_default_on_the_grid(name):
    p = PARAMETERS[name]
    for low, high in ((p.low, p.high), slider_range(p)):
        step = slider_step(p, (low, high))
        positions = (p.default - low) / step
        assert positions == pytest.approx(round(positions), abs=1e-6)
        assert (high - low) / step <= 1e5, "a slider of at most 100,000 positions"
        if p.kind == "int":
            assert isinstance(step, int)


def test_teaching_ranges_name_registry_parameters_and_stay_inside_their_bounds():
    for name, (low, high) in TEACHING_RANGES.items():
        p = PARAMETERS[name]
        assert p.kind in ("int", "float")
        assert p.low <= low < high <= p.high
        assert slider_range(p, p.high) == (low, p.high), "a value beyond stretches the slider"


def test_the_app_starts_where_the_command_line_does():
    run = build_parser().parse_args(["run"])
    assert (DEFAULT_SEED, DEFAULT_WEEKS) == (run.seed, run.steps)


def test_settings_copy_as_a_command_line_and_toml():
    choice = next(n for n, p in PARAMETERS.items() if p.kind == "choice")
    flag = next(n for n, p in PARAMETERS.items() if p.kind == "bool")
    preset = "old_world"
    other = next(c for c in PARAMETERS[choice].choices if c != PRESETS[preset][choice])
    settings = {
        **starting_settings(preset, seed=4, weeks=52),
        choice: other,
        flag: not PRESETS[preset][flag],
    }
    line = command_line(settings, preset)
    assert line.startswith(f"cxo-sim run --preset {preset} --seed 4 --steps 52")
    args = build_parser().parse_args(line.split()[1:])
    parsed = {k: PARAMETERS[k].parse(v) for k, v in (s.split("=") for s in args.sets)}
    assert parsed == {choice: other, flag: not PRESETS[preset][flag]}
    toml = toml_text(settings, preset)
    assert f'{choice} = "{other}"' in toml
    assert f"{flag} = {value_text(not PRESETS[preset][flag])}" in toml
    assert command_line(starting_settings(preset), preset).count("--set") == 0


def test_counts_read_in_the_singular_and_the_plural():
    assert counted(1, "breach", "breaches") == "1 breach"
    assert counted(2, "breach", "breaches") == "2 breaches"
    assert counted(0, "tool") == "0 tools" and counted(1, "tool") == "1 tool"
    assert counted(1200, "tool") == "1,200 tools"


def test_groups_cover_every_parameter_once():
    groups = grouped_names()
    assert list(groups) == list(GROUPS)
    assert sorted(n for names in groups.values() for n in names) == sorted(PARAMETERS)


def test_every_preset_has_a_complete_teaching_note():
    assert set(NOTES) == set(PRESETS)
    for note in NOTES.values():
        assert note.question.endswith("?") and note.notice and note.try_next


def test_matching_preset_tells_presets_from_custom_settings():
    assert matching_preset(starting_settings("turf_war", seed=3)) == "turf_war"
    assert matching_preset({**starting_settings(), "cmo_speed": 0.99}) is None


def test_tile_grid_stays_inside_its_box():
    box = (5.0, 0.3, 9.8, 3.7)
    for n in (0, 1, 7, 40, 300):
        tiles = tile_grid(n, box)
        assert len(tiles) == n
        for x, y, w in tiles:
            assert box[0] - 1e-9 <= x and x + w <= box[2] + 1e-9
            assert box[1] - 1e-9 <= y and y + w / 2 <= box[3] + 1e-9


@pytest.mark.parametrize("preset", ["combined_role", "best_practice"])
def test_figures_draw_any_organisation(preset):
    model = ClassroomModel(**starting_settings(preset, weeks=8))
    while model.running:
        model.step()
    series = model.datacollector.get_model_vars_dataframe()
    assert set(PANEL_SERIES) <= set(series.columns) <= set(OUTCOME_NAMES + DIAGNOSTIC_NAMES)
    assert len(outcome_figure(series, model.weeks).axes) >= 6
    picture = organisation_figure(model)
    assert f"Week {model.week}" in picture.texts[0].get_text()


def test_figures_are_legible_at_1024_by_768():
    """Issue 21: ticks were about 8 px and tool names cut short at 1024x768.

    Beside the 400-pixel sidebar the figures get 600 pixels: drawn that wide, they are shown at
    their own size, so a font's pixels are its points times dpi / 72.
    """
    model = ClassroomModel(**starting_settings())
    for _ in range(52):
        model.step()
    charts = outcome_figure(model.datacollector.get_model_vars_dataframe(), model.weeks)
    picture = organisation_figure(model)
    for fig in (charts, picture):
        assert fig.get_size_inches()[0] * fig.dpi == 600
    smallest = (
        min(label.get_fontsize() for ax in charts.axes for label in ax.get_xticklabels())
        * charts.dpi
        / 72
    )
    assert smallest >= 12, f"chart ticks {smallest:.1f} px"
    width = tile_grid(24, (5.15, 0.5, 9.85, 3.75))[0][2]
    for name in ("analytics", "marketing_automation", "personalisation", "content_ai"):
        label, size = tile_label(name, width, 7.5)
        assert "." not in label and size >= 6.5, (name, label, size)
        assert all(len(line) * size * 0.6 * 100 / 72 <= width * 60 for line in label.split("\n"))


def test_comparison_runs_both_arms_on_the_same_seeds():
    settings = {**starting_settings(), "cmo_speed": 1.0}
    a = run_arm(YOURS, arm_params(YOURS, settings), [1, 2], 13)
    b = run_arm("old_world", arm_params("old_world", settings), [1, 2], 13)
    assert a.params["cmo_speed"] == 1.0 and b.params == PRESETS["old_world"]
    assert len(a.series) == len(b.series) == 2 and all(len(s) == 14 for s in a.series)
    table = summary_table(a, b)
    assert list(table["outcome"]) == [o for o in OUTCOME_NAMES if o in set(table["outcome"])]
    row = table.set_index("outcome").loc["breaches"]
    assert row["B - A"] == pytest.approx(row["mean B"] - row["mean A"])
    assert row["low"] <= row["B - A"] <= row["high"]
    html = table_html(a, b)
    assert "A: your settings" in html and "B: old_world" in html
    assert len(comparison_figure({"A": a.series, "B": b.series}, 13).axes) == 6


def test_same_arm_twice_shows_no_difference():
    params = PRESETS["old_world"]
    a = run_arm("A", params, [4, 5], 13)
    b = run_arm("B", params, [4, 5], 13)
    table = summary_table(a, b)
    assert (table["B - A"] == 0).all() and (table["low"] == 0).all() and (table["high"] == 0).all()
    assert "better" not in table_html(a, b) and "no clear" not in table_html(a, b)


def test_shares_read_as_percentages_as_in_cxo_sim_run():
    """Issue 21: one convention for shares: "10.7 %" in `cxo-sim run`, the charts and Compare."""
    weeks = 26
    done = subprocess.run(
        [sys.executable, "-m", "cxo_sim.cli", "run", "--steps", str(weeks)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.split()[:1] == ["shadow_spend_share"])
    model = ClassroomModel(**starting_settings(weeks=weeks))
    while model.running:
        model.step()
    share = model.outcomes()["shadow_spend_share"]
    assert share_text(share) == f"{line.split()[1]} %", line
    title = outcome_figure(model.datacollector.get_model_vars_dataframe(), weeks).axes[5]
    assert f"({share_text(share)} shadow)" in title.get_title()

    a = synthetic_arm("A", [0.10, 0.20, 0.30, 0.40])
    b = synthetic_arm("B", [0.15, 0.25, 0.35, 0.45])
    row = next(r for r in table_html(a, b).split("<tr>") if ">shadow_spend_share<" in r)
    assert "<td>25.0 %</td><td>30.0 %</td><td>5.0 points</td>" in row, row
    assert all(is_share(name) for name in ("shadow_spend_share", "utilization"))
    assert not is_share("trust") and share_text(0.107) == "10.7 %"


def test_the_comparison_table_exports_as_png_with_the_rows_the_page_shows():
    """Issue 21: PNG export of the Compare table, for a slide (the charts have theirs)."""
    import io

    from PIL import Image

    a = synthetic_arm("A", [0.10, 0.20, 0.30, 0.40])
    b = synthetic_arm("B", [0.15, 0.25, 0.35, 0.45])
    rows = table_rows(a, b)
    page = table_html(a, b)
    assert [r[0] for r in rows] == list(OUTCOME_NAMES)
    for outcome, *cells, verdict in rows:
        assert f">{outcome}</td><td>{'</td><td>'.join(cells)}</td>" in page
        assert verdict in page
    png = table_png(a, b)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = Image.open(io.BytesIO(png)).size
    assert width >= 900 and height >= 25 * (len(rows) + 1), (width, height)  # 9-point rows


def synthetic_arm(label, values, seeds=(1, 2, 3, 4)):
    """An arm whose every outcome takes ``values`` on ``seeds``."""
    outcomes = [dict.fromkeys(OUTCOME_NAMES, float(x)) for x in values]
    return Arm(label, {}, list(seeds), [], outcomes)


def test_compare_intervals_are_the_paired_t_intervals_of_the_reports():
    # B is A plus a steady 1 on every seed: seeds differ a lot, the configuration little.
    a = synthetic_arm("A", [10.0, 50.0, 90.0, 130.0])
    b = synthetic_arm("B", [11.0, 51.5, 90.5, 131.0])
    row = summary_table(a, b).iloc[0]
    paired = mean_ci([1.0, 1.5, 0.5, 1.0])
    assert (row["B - A"], row["low"], row["high"]) == pytest.approx(
        (paired.value, paired.low, paired.high)
    )
    assert row["low"] > 0, "an unpaired interval would straddle zero here"
    with pytest.raises(ValueError, match="same seeds"):
        summary_table(a, synthetic_arm("B", [1, 2, 3, 4], seeds=(5, 6, 7, 8)))


def test_compare_table_as_csv():
    a = synthetic_arm("A", [1, 2, 3, 4])
    b = synthetic_arm("old_world", [2, 3, 4, 5])
    frame = pd.read_csv(io.StringIO(table_csv(a, b)))
    assert list(frame.columns[:4]) == ["outcome", "unit", "mean A (A)", "mean B (old_world)"]
    assert set(frame["B - A"]) == {1.0} and len(frame) == len(OUTCOME_NAMES)


def test_event_log_escapes_and_orders_newest_first():
    from cxo_sim.model.agents import Event

    events = [Event(1, "bypass", "week 1: first"), Event(2, "breach", "week 2: <b>second</b>")]
    html = event_html(events)
    assert html.index("second") < html.index("first")
    assert "&lt;b&gt;second&lt;/b&gt;" in html
    assert "press Step or Play" in event_html([])


def test_server_runs_solara_on_the_given_address_with_local_assets():
    command = server_command("127.0.0.1", 8123)
    assert "cxo_sim.app:Page" in command
    assert command[command.index("--port") + 1] == "8123"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    env = server_environment({"SOLARA_ASSETS_PROXY": "false"})
    assert env["SOLARA_ASSETS_PROXY"] == "true"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_the_server_drops_solaras_cookie_warning_and_no_other():
    """Issue 21: a 12-line samesite warning on every page load from 127.0.0.1; only it goes."""
    env = server_environment({"PATH": os.environ["PATH"], "PYTHONWARNINGS": "error::FutureWarning"})
    assert env["PYTHONWARNINGS"].startswith("error::FutureWarning,"), "earlier filters kept"
    code = (
        "import warnings\n"
        "for text, module in [('Cookies with samesite=none require https, but...', "
        "'solara.server.starlette'), ('Cookies with samesite=none require https', 'elsewhere'), "
        "('something else', 'solara.server.starlette')]:\n"
        "    warnings.warn_explicit(text, UserWarning, 'x.py', 1, module=module)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("UserWarning") == 2, done.stderr
    assert "but..." not in done.stderr


def test_about_the_model_has_the_info_tab_sections_and_points_to_the_odd():
    page = about_html()
    for title in (
        "What is it?",
        "How it works",
        "How to use it",
        "Things to notice",
        "Things to try",
        "Extending the model",
        "Credits and references",
    ):
        assert f"<h3>{title}</h3>" in page
    assert page.count("docs/ODD.md") >= 3
    assert "MODEL.md" not in page.replace("docs/ODD.md", "")


FAST_FORWARD = next(pace for pace in PACES.values() if not pace.every_week)


class FakeClock:
    """A clock that moves only when Play sleeps or a redraw costs time."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def test_play_draws_every_week_before_it_steps_the_next():
    """Issue 21: the pace follows the drawing; five weeks a second when drawing is quick."""
    model = ClassroomModel(**starting_settings(weeks=52))
    clock = FakeClock()
    drawn = []

    def redraw():
        clock.now += 0.05
        drawn.append(model.week)

    pace = Pace("5 weeks a second", 5.0)
    redraws = play(model, lambda: True, redraw, pace, sleep=clock.sleep, clock=clock,
                   timer=RedrawTimer())  # fmt: skip
    assert drawn == list(range(1, 53)) and redraws == 52
    assert model.week == 52 and not model.running
    assert clock.now == pytest.approx(52 / 5.0), "a week every 0.2 s, the drawing included"


def test_slow_drawing_slows_play_and_skips_no_week():
    model = ClassroomModel(**starting_settings(weeks=26))
    clock = FakeClock()
    drawn = []

    def redraw():
        clock.now += 3.0  # a busy server
        drawn.append(model.week)

    play(model, lambda: True, redraw, PACES["10 weeks a second"], sleep=clock.sleep,
         clock=clock, timer=RedrawTimer())  # fmt: skip
    assert drawn == list(range(1, 27)), "every week drawn, however slow"
    assert clock.slept == [], "no waiting on top of a slow redraw"


def test_as_fast_as_it_can_draw_never_waits():
    model = ClassroomModel(**starting_settings(weeks=10))
    clock = FakeClock()
    drawn = []
    play(model, lambda: True, lambda: drawn.append(model.week), PACES["as fast as it can draw"],
         sleep=clock.sleep, clock=clock, timer=RedrawTimer())  # fmt: skip
    assert drawn == list(range(1, 11)) and clock.slept == []


def test_pause_pressed_during_a_step_ends_on_the_week_drawn():
    """The week on screen is the model's week once Play has stopped."""
    model = ClassroomModel(**starting_settings(weeks=52))
    drawn = []
    pressed = []

    def redraw():
        drawn.append(model.week)
        if model.week == 3:
            pressed.append(True)  # Pause pressed while week 3 was being stepped and drawn

    play(model, lambda: not pressed, redraw, PACES["as fast as it can draw"],
         sleep=lambda s: None, timer=RedrawTimer())  # fmt: skip
    assert model.week == 3 and drawn[-1] == 3 and model.running


def test_play_stops_at_the_week_asked_and_goes_on_from_there():
    model = ClassroomModel(**starting_settings(weeks=20))
    drawn = []
    fastest = PACES["as fast as it can draw"]
    play(model, lambda: True, lambda: drawn.append(model.week), fastest, stop_week(model, 8),
         sleep=lambda s: None, timer=RedrawTimer())  # fmt: skip
    assert model.week == 8 and drawn[-1] == 8 and model.running
    assert stop_week(model, 8) is None, "past the stop week Play runs to the horizon"
    assert stop_week(model, 40) is None, "a stop week beyond the horizon is the horizon"
    play(model, lambda: True, lambda: drawn.append(model.week), fastest, stop_week(model, 8),
         sleep=lambda s: None, timer=RedrawTimer())  # fmt: skip
    assert model.week == 20 and not model.running and drawn == list(range(1, 21))


def test_fast_forward_redraws_by_time_not_every_week():
    """Fast-forward, when asked: weeks at their pace; redraws every REDRAW_SECONDS, and last."""
    model = ClassroomModel(**starting_settings(weeks=52))
    now = [0.0]
    redrawn_at = []

    def sleep(seconds):
        now[0] += seconds

    def redraw():
        now[0] += 0.2  # a redraw costs time too
        redrawn_at.append(model.week)

    redraws = play(model, lambda: True, redraw, FAST_FORWARD, sleep=sleep, clock=lambda: now[0],
                   timer=RedrawTimer())  # fmt: skip
    assert model.week == 52 and not model.running
    assert redraws == len(redrawn_at) and redrawn_at[-1] == 52
    assert len(redrawn_at) < 52 / 4, "far fewer redraws than weeks"
    gaps = [b - a for a, b in zip(redrawn_at, redrawn_at[1:-1], strict=False)]
    assert all(gap * FAST_FORWARD_SECONDS >= REDRAW_SECONDS - 1e-9 for gap in gaps)


def test_a_slow_redraw_makes_fast_forward_wait_longer_for_the_next():
    model = ClassroomModel(**starting_settings(weeks=52))
    now = [0.0]
    redrawn_at = []

    def redraw():
        now[0] += 3.0  # a busy server
        redrawn_at.append(model.week)

    timer = RedrawTimer()
    play(model, lambda: True, redraw, FAST_FORWARD, sleep=lambda s: now.__setitem__(0, now[0] + s),
         clock=lambda: now[0], timer=timer)  # fmt: skip
    gaps = [b - a for a, b in zip(redrawn_at, redrawn_at[1:-1], strict=False)]
    assert all(gap * FAST_FORWARD_SECONDS >= REDRAW_SHARE * 3.0 - 1e-9 for gap in gaps)
    assert len(redrawn_at) <= 3 and redrawn_at[-1] == 52
    assert timer.last == 3.0
    # The next fast-forward on this server knows it is busy before its first redraw.
    again = ClassroomModel(**starting_settings(weeks=52))
    model, redrawn_at[:] = again, []
    play(again, lambda: True, redraw, FAST_FORWARD, sleep=lambda s: now.__setitem__(0, now[0] + s),
         clock=lambda: now[0], timer=timer)  # fmt: skip
    assert redrawn_at == [52]


def test_pause_stops_play_at_once():
    model = ClassroomModel(**starting_settings(weeks=52))
    steps = iter([True, True, True, False])
    play(model, lambda: next(steps), lambda: None, PACES["as fast as it can draw"],
         sleep=lambda s: None, timer=RedrawTimer())  # fmt: skip
    assert model.week == 3 and model.running


def test_the_charts_have_a_glossary_and_a_png_export():
    """Issue 21: every charted outcome explained in plain words; the charts downloadable."""
    from cxo_sim.appkit.charts import charted_outcomes, figure_png, glossary

    names = charted_outcomes()
    assert "shadow_tools" in names and len(names) == len(set(names))
    text = glossary(names)
    for name in names:
        assert f"**{name.replace('_', ' ')}**" in text
    assert OUTCOMES["shadow_tools"].meaning in text
    model = ClassroomModel(**starting_settings(weeks=8))
    model.step()
    png = figure_png(outcome_figure(model.datacollector.get_model_vars_dataframe(), 8))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_predictions_are_checked_against_the_paired_intervals():
    """Issue 21: a class predicts B against A before it runs, then sees what it got right."""
    from cxo_sim.appkit.compare import prediction_lines, what_the_runs_say

    assert what_the_runs_say(0.1, 0.5) == "B higher"
    assert what_the_runs_say(-0.5, -0.1) == "B lower"
    assert what_the_runs_say(-0.1, 0.1) == "no clear change"
    assert what_the_runs_say(float("nan"), float("nan")) is None
    a = synthetic_arm("A", [0.10, 0.20, 0.30, 0.40])
    b = synthetic_arm("B", [0.15, 0.25, 0.35, 0.45])  # every outcome higher by 0.05 on each seed
    lines = prediction_lines(
        a, b, {"campaign_velocity": "B higher", "tech_spend": "B lower", "trust": "no guess"}
    )
    assert lines[0] == "Your predictions: 1 of 2 right."
    assert "campaign velocity: you said B higher; the runs say B higher (right)" in lines
    assert "tech spend: you said B lower; the runs say B higher (not this time)" in lines
    assert not any(line.startswith("trust") for line in lines)
    assert prediction_lines(a, b, {}) == []
    one = synthetic_arm("A", [0.1], seeds=(1,)), synthetic_arm("B", [0.2], seeds=(1,))
    (only,) = prediction_lines(*one, {"trust": "B higher"})
    assert "one seed cannot tell" in only


def test_why_did_this_move_names_the_week_s_events_and_their_mechanisms():
    """Issue 21: a week's moves and the events behind them, read from the event records."""
    from cxo_sim.appkit.events import BREACH_CHAINS, CHAINS, chain, why_html, why_lines
    from cxo_sim.model.agents import Event

    model = ClassroomModel(**starting_settings(weeks=52))
    while model.running:
        model.step()
    week = next(e.week for e in model.events if e.kind == "bypass")
    moves, events = why_lines(model, week)
    bypasses = [e for e in model.events if e.week == week]
    assert [text for text, _ in events] == [e.text for e in bypasses]
    assert (bypasses[0].text, CHAINS["bypass"]) in events
    series = model.datacollector.get_model_vars_dataframe()
    change = series["shadow_tools"].iloc[week] - series["shadow_tools"].iloc[week - 1]
    assert (f"shadow tools {change:+.3g}" in moves) == (change != 0)
    assert chain(Event(3, "breach", "reworded at will", shadow=True)) == BREACH_CHAINS[True]
    assert chain(Event(3, "breach", "reworded at will", shadow=False)) == BREACH_CHAINS[False]
    for name in ("new_world", "best_practice"):
        other = ClassroomModel(**{**starting_settings(weeks=52), **PRESETS[name]})
        while other.running:
            other.step()
        assert all(chain(e) for e in other.events), "every kind of event has its chain"
    quiet = next(w for w in range(1, 53) if not any(e.week == w for e in model.events))
    assert "No event this week" in why_html(model, quiet)
    assert "<script>" not in why_html(model, week)


def test_a_play_prediction_is_set_beside_what_the_weekly_series_did():
    """Issue 21: predict before Play; afterwards each guess beside what the run did."""
    assert what_it_did(10.0, 10.0) == SAME and what_it_did(0.5, 0.51) == SAME
    assert what_it_did(10.0, 11.0) == "rises" and what_it_did(0.0, 0.2) == "rises"
    assert what_it_did(2.0, 1.5) == "falls"
    model = ClassroomModel(**starting_settings(weeks=26))
    assert play_lines(model, 0, {"trust": "falls"}) == [], "nothing to check at week 0"
    while model.running:
        model.step()
    trust = [model.datacollector.model_vars["trust"][w] for w in (0, 26)]
    did = what_it_did(*trust)
    lines = play_lines(model, 0, {"trust": did, "shadow_tools": "no guess"})
    assert lines[0] == "From week 0 to week 26: 1 of 1 predictions right."
    assert lines[1].startswith(f"trust: {fmt(trust[0])} -> {fmt(trust[1])}, it ")
    assert lines[1].endswith(f"you said it {did} (right)") and len(lines) == 2
    wrong = FALLS if did != FALLS else RISES
    assert play_lines(model, 0, {"trust": wrong})[1].endswith("(not this time)")
    assert set(PLAY_GUESSES) == {"no guess", RISES, FALLS, SAME}


def test_live_charts_reuse_one_figure_and_draw_what_a_fresh_figure_draws():
    """Faster redraw: the figure is built once per run; each week redraws lines and titles over
    the kept rest, and the picture is the one a figure built afresh for that week gives."""
    from cxo_sim.appkit.charts import LiveCharts, nice_top

    assert nice_top(0.0) == 1.0 and nice_top(0.95) == 1.0 and nice_top(2.0) == 3.0
    assert nice_top(140.0) == 150.0 and nice_top(0.31, integer=True) == 1.0
    model = ClassroomModel(**starting_settings(weeks=30))  # seed 0: 13 full redraws
    live = LiveCharts(model.weeks)
    figure, full = live.figure, 0
    while model.running:
        model.step()
        tops = live.tops
        png = live.png(model.datacollector.get_model_vars_dataframe())
        full += live.tops != tops
    assert live.figure is figure, "one figure for the whole run"
    assert full < model.week // 2, f"the whole figure was drawn {full} times in {model.week} weeks"
    fresh = LiveCharts(model.weeks).png(model.datacollector.get_model_vars_dataframe())
    assert png == fresh, "the kept background and the redrawn lines make the same picture"
