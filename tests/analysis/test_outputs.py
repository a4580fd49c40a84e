"""What plot, report and discover write and read: through temporary names, never through links."""

import pytest

from cxo_sim.analysis.results import open_results
from cxo_sim.analysis.summary import write_runs_csv, write_summary
from cxo_sim.cli import main


@pytest.mark.parametrize("name", ["summary.csv", "runs.csv", "report.html"])
def test_a_link_in_place_of_an_output_is_refused_and_its_target_left_alone(
    practices_results, tmp_path, capsys, name
):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    link = practices_results / name
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    command = "report" if name == "report.html" else "plot"
    assert main([command, str(practices_results)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "symbolic link" in err[0] and name in err[0]
    assert target.read_text(encoding="utf-8") == "keep me"
    assert link.is_symlink()


def test_outputs_are_written_whole_and_leave_no_temporary_file(practices_results):
    rs = open_results(practices_results)
    paths = [write_summary(rs), write_runs_csv(rs)]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert not [p for p in practices_results.iterdir() if p.name.startswith(".tmp-")]


def test_discover_reads_no_series(practices_results, capsys):
    for part in (practices_results / "timeseries").glob("*.parquet"):
        part.write_bytes(b"damaged")
    assert open_results(practices_results, series=False).timeseries is None
    code = main(["discover", str(practices_results), "--outcome", "breaches", "--above", "0"])
    assert code == 0, capsys.readouterr().err
