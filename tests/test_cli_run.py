import subprocess
import sys

import pandas as pd
import pytest

from cxo_sim.cli import main

CLI = [sys.executable, "-m", "cxo_sim.cli"]


def test_run_prints_outcomes_and_writes_series_and_figure(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "run",
            "--preset",
            "new_world",
            "--set",
            "meeting_interval=4",
            "--steps",
            "52",
            "--seed",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "preset new_world (meeting_interval=4), seed 3, 52 weeks" in text
    assert "campaign_velocity" in text and "shadow_spend_share" in text
    series = pd.read_parquet(out / "series.parquet")
    assert len(series) == 53 and "week" in series.columns and "trust" in series.columns
    assert (out / "run.png").stat().st_size > 10_000
    assert (out / "events.txt").read_text().startswith("week ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--preset", "old_wrld"], "unknown preset 'old_wrld'; did you mean 'old_world'?"),
        (["run", "--set", "alignmnt=0.5"], "did you mean 'alignment'?"),
        (["run", "--set", "alignment=3"], "expected a number from 0 to 1"),
        (["run", "--set", "liaison"], "expected KEY=VALUE"),
        (["run", "--steps", "0"], "--steps must be 1 to 5_200"),
        (["run", "--seed", "-1"], "--seed must be a non-negative integer"),
        (["validate", "--seeds", "1"], "--seeds must be at least 2"),
    ],
)
def test_user_errors_are_one_line_with_status_2(args, message):
    proc = subprocess.run(CLI + args, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_out_pointing_at_a_file_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    proc = subprocess.run(
        CLI + ["run", "--out", str(target)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert target.read_text() == "keep me"
