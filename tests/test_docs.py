"""The docs tell the truth about the code: the ODD's tables are the registries'."""

import ast
import re
from pathlib import Path

import pytest

from cxo_sim import constants
from cxo_sim.constants import CONSTANTS
from cxo_sim.params import PARAMETERS, sync_odd

ROOT = Path(__file__).resolve().parents[1]
CONSTANTS_START = "<!-- constants-table:start (generated from src/cxo_sim/constants.py) -->"
CONSTANTS_END = "<!-- constants-table:end -->"


def odd() -> str:
    return (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_odd_parameter_table_is_generated_from_the_registry():
    text = odd()
    assert sync_odd(text) == text, "run: python -m cxo_sim.params docs/ODD.md"
    for name in PARAMETERS:
        assert f"`{name}`" in text


def test_odd_constants_table_is_generated_from_the_declarations():
    text = odd()
    assert text.count(CONSTANTS_START) == 1 and text.count(CONSTANTS_END) == 1
    table = text.split(CONSTANTS_START, 1)[1].split(CONSTANTS_END, 1)[0]
    assert table.strip("\n") == constants.markdown_table().strip("\n")
    for name in CONSTANTS:
        assert f"`{name}`" in table


def test_every_constant_is_declared_once_and_its_value_lies_in_its_range():
    names = [c.name for c in constants._DECLARATIONS]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert not twice, f"declared twice: {twice}"
    assert list(CONSTANTS) == names
    assert not set(CONSTANTS) & set(PARAMETERS), "a name is both a constant and a parameter"
    for c in CONSTANTS.values():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", c.name), c.name
        assert c.low < c.high, (c.name, c.low, c.high)
        assert c.low <= c.value <= c.high, (c.name, c.value, c.low, c.high)
        assert c.meaning and c.source, c.name
        assert re.fullmatch(r"\d+(\.\d+)?", c.section), (c.name, c.section)


def _module_level_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize(
    "module", sorted((ROOT / "src" / "cxo_sim" / "model").glob("*.py")), ids=lambda p: p.stem
)
def test_no_model_module_declares_a_constant_again(module):
    again = _module_level_names(module) & set(CONSTANTS)
    assert not again, f"{module.name} declares again: {sorted(again)}"


def _project_files():
    yield ROOT / "README.md"
    for folder in ("src", "docs", "results"):
        for path in sorted((ROOT / folder).rglob("*")):
            parts = path.relative_to(ROOT).parts
            if any(p == "__pycache__" or p.endswith(".egg-info") for p in parts):
                continue
            if path.is_file():
                yield path


def test_no_file_cites_a_document_the_project_does_not_contain():
    citing = [
        str(path.relative_to(ROOT)) for path in _project_files() if b"MODEL.md" in path.read_bytes()
    ]
    assert not citing, f"cite docs/ODD.md sections instead: {citing}"


def test_readme_quick_start_is_two_commands_and_ci_runs_both():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["bash scripts/quickstart.sh", "bash scripts/test.sh"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci
    assert "bash .ci/quickstart" in ci
    quickstart = (ROOT / ".ci" / "quickstart").read_text(encoding="utf-8")
    assert "bash scripts/quickstart.sh" in quickstart
    assert "VERSIONS=${QUICKSTART_PYTHONS:-3.11 3.13}" in quickstart
