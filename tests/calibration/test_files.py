"""Bad calibration and organisation files are refused with one line and exit status 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cxo_sim.calibration.organisation import organisation_calibration
from cxo_sim.calibration.spec import PUBLISHED, load_calibration
from cxo_sim.cli import main

GOOD = """
name = "ok"
population = 20
[constants]
calibrate = ["BASE_HAZARD"]
"""

BAD_CALIBRATIONS = {
    "syntax": ("name = ", "TOML syntax error"),
    "no name": ("population = 20", "name: missing"),
    "unknown key": ('name = "x"\npopulaton = 20', "populaton: unknown key"),
    "unknown constant": (
        'name = "x"\n[constants]\ncalibrate = ["BASE_HAZRD"]',
        "unknown constant 'BASE_HAZRD'",
    ),
    "constant twice": (
        'name = "x"\n[constants]\ncalibrate = ["BASE_HAZARD", "BASE_HAZARD"]',
        "listed twice",
    ),
    "unknown target": ('name = "x"\n[targets]\nbreach = true', "unknown target"),
    "range upside down": (
        'name = "x"\n[targets]\nutilization = { low = 0.6, high = 0.3 }',
        "low (0.6) must be below high (0.3)",
    ),
    "unknown held-out target": ('name = "x"\nholdout = ["tools"]', "holdout[0]: unknown target"),
    "fitted and held out": (
        'name = "x"\nholdout = ["tool_count"]\n[targets]\ntool_count = true',
        "targets.tool_count: is also held out",
    ),
    "held out twice": ('name = "x"\nholdout = ["tool_count", "tool_count"]', "listed twice"),
    "too few years": ('name = "x"\nyears = 1', "years: must be at least 2"),
    "tiny population": ('name = "x"\npopulation = 2', "population: must be at least 10"),
    "unknown parameter": ('name = "x"\n[fixed]\nn_marketer = 3', "fixed.n_marketer"),
}

BAD_ORGANISATIONS = {
    "no observations": ('name = "f"', "observations: missing"),
    "unknown observation": (
        'name = "f"\n[observations]\ntools = { value = 3, uncertainty = 1 }',
        "observations.tools: unknown key",
    ),
    "impossible share": (
        'name = "f"\n[observations]\nutilization = { value = 1.4, uncertainty = 0.1 }',
        "1.4 is impossible",
    ),
    "no uncertainty": (
        'name = "f"\n[observations]\nutilization = { value = 0.4 }',
        "uncertainty: missing",
    ),
    "zero uncertainty": (
        'name = "f"\n[observations]\nutilization = { value = 0.4, uncertainty = 0 }',
        "must be above 0",
    ),
    "shadow spend without money": (
        'name = "f"\n[organisation]\nmarketing_discretionary = 0\n'
        "[observations]\nshadow_spend_share = { value = 0.3, uncertainty = 0.1 }",
        "marketing_discretionary is 0",
    ),
    "bad parameter": (
        'name = "f"\n[organisation]\nn_marketers = -4\n'
        "[observations]\nutilization = { value = 0.4, uncertainty = 0.1 }",
        "organisation.n_marketers: invalid value",
    ),
}


def _write(tmp_path: Path, text: str, name: str = "file.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_good_file_loads(tmp_path):
    calibration = load_calibration(_write(tmp_path, GOOD))
    assert calibration.constants == ["BASE_HAZARD"]
    assert calibration.steps == 260
    assert [t.key for t in calibration.targets][:2] == ["breached", "business_led_share"]


@pytest.mark.parametrize("case", BAD_CALIBRATIONS, ids=str)
def test_bad_calibration_file_exits_2_with_one_line(case, tmp_path, capsys):
    text, expected = BAD_CALIBRATIONS[case]
    path = _write(tmp_path, text)
    status = main(["calibrate", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err and str(path) in err
    assert not (tmp_path / "out").exists(), "nothing is written for a bad file"


@pytest.mark.parametrize("case", BAD_ORGANISATIONS, ids=str)
def test_bad_organisation_file_exits_2_with_one_line(case, tmp_path, capsys):
    text, expected = BAD_ORGANISATIONS[case]
    path = _write(tmp_path, text)
    status = main(["calibrate", "--organisation", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert expected in err


def test_missing_files_exit_2(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "nope.toml")]) == 2
    assert "no such" in capsys.readouterr().err
    assert main(["calibrate"]) == 2
    assert "give a calibration file" in capsys.readouterr().err


def test_the_example_firm_becomes_targets():
    root = Path(__file__).resolve().parents[2]
    calibration = organisation_calibration(
        root / "experiments" / "organisations" / "example-firm.toml"
    )
    targets = {t.key: t for t in calibration.targets}
    assert calibration.fixed["n_marketers"] == 30
    assert (targets["tool_count"].low, targets["tool_count"].high) == (30.0, 50.0)
    # 0.05 +- 0.04 incidents a year: a chance of a breach of 1 - exp(-rate).
    assert targets["breached"].low == pytest.approx(0.00995, abs=1e-4)  # 1 - exp(-0.01)
    assert targets["breached"].high == pytest.approx(0.0861, abs=1e-4)  # 1 - exp(-0.09)


def test_a_firm_may_observe_its_shadow_and_business_led_shares(tmp_path):
    """The shadow share is no published target, but a firm that measures its own may use it."""
    firm = _write(
        tmp_path,
        'name = "firm"\n[observations]\n'
        "shadow_spend_share = { value = 0.3, uncertainty = 0.1 }\n"
        "business_led_share = { value = 0.45, uncertainty = 0.05 }\n"
        "campaign_lead_time = { value = 2.5, uncertainty = 1.0 }",
    )
    targets = {t.key: t for t in organisation_calibration(firm).targets}
    assert set(targets) == {"shadow_spend_share", "business_led_share", "median_lead_time"}
    assert (targets["business_led_share"].low, targets["business_led_share"].high) == (
        pytest.approx(0.4),
        pytest.approx(0.5),
    )
    assert targets["shadow_spend_share"].label == "shadow share of martech spend"


def test_sweep_on_a_stale_firm_calibration_says_how_to_recalibrate(tmp_path, monkeypatch, capsys):
    """``sweep`` has a ``--fresh`` too, but it discards results: the line names ``calibrate``."""
    firm = _write(
        tmp_path, 'name = "firm"\n[observations]\nutilization = { value = 0.4, uncertainty = 0.1 }'
    )
    stored = tmp_path / "calibration" / "firm"
    stored.mkdir(parents=True)
    (stored / "manifest.json").write_text(
        '{"name": "firm", "calibration_hash": "0", "model_fingerprint": "0"}', encoding="utf-8"
    )
    experiment = Path(__file__).resolve().parents[2] / "experiments" / "practices.toml"
    monkeypatch.chdir(tmp_path)
    status = main(["sweep", str(experiment), "--organisation", str(firm), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert f"cxo-sim calibrate --organisation {firm} --fresh" in err
    assert not (tmp_path / "results").exists()


def test_every_committed_calibration_file_loads():
    root = Path(__file__).resolve().parents[2] / "calibration"
    files = sorted(root.glob("*.toml"))
    assert len(files) >= 3
    held = load_calibration(root / "old_world-holdout.toml")
    assert [t.key for t in held.holdout] == ["utilization_trend", "tool_count"]
    for path in files:
        calibration = load_calibration(path)
        assert calibration.name == path.stem
        keys = {t.key for t in (*calibration.targets, *calibration.holdout)}
        assert keys == set(PUBLISHED), path
