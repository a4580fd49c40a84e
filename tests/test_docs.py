"""The docs tell the truth about the code: the ODD's parameter table is the registry's."""

from pathlib import Path

from cxo_sim.params import PARAMETERS, sync_odd

ROOT = Path(__file__).resolve().parents[1]


def test_odd_parameter_table_is_generated_from_the_registry():
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert sync_odd(text) == text, "run: python -m cxo_sim.params docs/ODD.md"
    for name in PARAMETERS:
        assert f"`{name}`" in text


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
    assert "scripts/test.sh" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
